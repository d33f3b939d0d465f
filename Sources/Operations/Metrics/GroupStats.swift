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
package struct GroupStats: Sendable, Hashable, Codable {
    package var key: String
    package var attempts: Int
    package var succeeded: Int
    package var failed: Int
    package var contentFiltered: Int
    package var cancelled: Int
    package var rateLimited: Int
    package var successRate: Double?
    package var duration: DurationSummary?
    package var spentUSD: Double
    package var knownCostImages: Int
    package var unknownCostImages: Int
    package var costPerImageUSD: Double?
    package var qualityMean: Double?
    package var qualityCount: Int

    /// Computes the statistics of `records` under the name `key`.
    package init(key: String, records: [GenerationRecord]) {
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
