import Foundation
import Catalog

/// A day's or a week's report: what was made, what it cost, how providers and models did, and
/// what to change. Built by `ReportBuilder`, rendered by the text, JSON and HTML renderers.
package struct Report: Sendable, Equatable, Codable {
    package struct CategoryLine: Sendable, Hashable, Codable {
        package var category: String
        package var images: Int
        package var attempts: Int
        package var spentUSD: Double
        package var unknownCostImages: Int
    }

    package struct ProviderLatency: Sendable, Hashable, Codable {
        package var provider: String
        package var p50Seconds: Double
        package var p95Seconds: Double
        package var successes: Int
    }

    package struct ModelQuality: Sendable, Hashable, Codable {
        package var model: String
        package var qualityMean: Double
        package var samples: Int
    }

    package struct ImageQuality: Sendable, Hashable, Codable {
        package var imageID: String?
        package var model: String
        package var category: String
        package var template: String?
        package var score: Double
    }

    package struct ExperimentLeader: Sendable, Hashable, Codable {
        package var experiment: String
        package var arm: String
        package var mean: Double
        package var samples: Int
        package var probabilityBest: Double?
    }

    package var period: ReportPeriod
    package var timeZone: String
    package var start: Date
    package var end: Date
    package var generatedAt: Date
    /// All attempts of the period as one group.
    package var totals: GroupStats
    package var categories: [CategoryLine]
    package var providers: [GroupStats]
    package var models: [GroupStats]
    /// The provider with the highest p50 among those with successes.
    package var slowestProvider: ProviderLatency?
    /// Highest and lowest mean quality among models with enough scores (nil when fewer than two models qualify for "worst").
    package var bestModel: ModelQuality?
    package var worstModel: ModelQuality?
    package var bestImage: ImageQuality?
    package var worstImage: ImageQuality?
    package var experiments: [ExperimentLeader]
    package var budgets: [BudgetStatus]
    package var suggestions: [Suggestion]
}
