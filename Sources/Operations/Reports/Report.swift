import Foundation
import Catalog

/// A day's or a week's report: what was made, what it cost, how providers and models did, and
/// what to change. Built by `ReportBuilder`, rendered by the text, JSON and HTML renderers.
public struct Report: Sendable, Equatable, Codable {
    public struct CategoryLine: Sendable, Hashable, Codable {
        public var category: String
        public var images: Int
        public var attempts: Int
        public var spentUSD: Double
        public var unknownCostImages: Int
    }

    public struct ProviderLatency: Sendable, Hashable, Codable {
        public var provider: String
        public var p50Seconds: Double
        public var p95Seconds: Double
        public var successes: Int
    }

    public struct ModelQuality: Sendable, Hashable, Codable {
        public var model: String
        public var qualityMean: Double
        public var samples: Int
    }

    public struct ImageQuality: Sendable, Hashable, Codable {
        public var imageID: String?
        public var model: String
        public var category: String
        public var template: String?
        public var score: Double
    }

    public struct ExperimentLeader: Sendable, Hashable, Codable {
        public var experiment: String
        public var arm: String
        public var mean: Double
        public var samples: Int
        public var probabilityBest: Double?
    }

    public var period: ReportPeriod
    public var timeZone: String
    public var start: Date
    public var end: Date
    public var generatedAt: Date
    /// All attempts of the period as one group.
    public var totals: GroupStats
    public var categories: [CategoryLine]
    public var providers: [GroupStats]
    public var models: [GroupStats]
    /// The provider with the highest p50 among those with successes.
    public var slowestProvider: ProviderLatency?
    /// Highest and lowest mean quality among models with enough scores (nil when fewer than two models qualify for "worst").
    public var bestModel: ModelQuality?
    public var worstModel: ModelQuality?
    public var bestImage: ImageQuality?
    public var worstImage: ImageQuality?
    public var experiments: [ExperimentLeader]
    public var budgets: [BudgetStatus]
    public var suggestions: [Suggestion]
}
