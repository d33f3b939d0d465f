import Foundation
import Catalog

/// Statistics of one group of attempts (one model, provider, category or template).
///
/// Definitions (they are what the tests check by hand):
/// - `successRate` = succeeded / (succeeded + failed + content_filtered); cancelled attempts are not
///   judged. Nil when nothing was judged.
/// - `duration` covers succeeded attempts only (a failure's time says little about speed).
/// - `costPerImageUSD` = known cost of succeeded images / their number; images with unknown cost
///   are left out and counted in `unknownCostImages`, never priced as 0.
/// - `spentUSD` = all known costs, failed attempts a provider charged for included.
/// - `qualityMean` over the attempts that have a score.
public struct GroupStats: Sendable, Hashable, Codable {
    public var key: String
    public var attempts: Int
    public var succeeded: Int
    public var failed: Int
    public var contentFiltered: Int
    public var cancelled: Int
    public var rateLimited: Int
    public var successRate: Double?
    public var duration: DurationSummary?
    public var spentUSD: Double
    public var knownCostImages: Int
    public var unknownCostImages: Int
    public var costPerImageUSD: Double?
    public var qualityMean: Double?
    public var qualityCount: Int

    /// Computes the statistics of `records` under the name `key`.
    public init(key: String, records: [GenerationRecord]) {
        self.key = key
        attempts = records.count
        succeeded = records.count { $0.outcome == .succeeded }
        failed = records.count { $0.outcome == .failed }
        contentFiltered = records.count { $0.outcome == .contentFiltered }
        cancelled = records.count { $0.outcome == .cancelled }
        rateLimited = records.count { $0.failureKind == .rateLimited }
        let judged = succeeded + failed + contentFiltered
        successRate = judged > 0 ? Double(succeeded) / Double(judged) : nil
        let successes = records.filter { $0.outcome == .succeeded }
        duration = DurationSummary(successes.map(\.durationSeconds))
        spentUSD = records.compactMap(\.costUSD).reduce(0, +)
        let known = successes.compactMap(\.costUSD)
        knownCostImages = known.count
        unknownCostImages = successes.count - known.count
        costPerImageUSD = known.isEmpty ? nil : known.reduce(0, +) / Double(known.count)
        let scores = records.compactMap(\.qualityScore)
        qualityCount = scores.count
        qualityMean = scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count)
    }
}
