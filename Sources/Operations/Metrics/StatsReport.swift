import Foundation
import Catalog
import ImagegenCore

/// Generation statistics of finished jobs (time, success rate, cost per image, quality) per
/// model, provider, category or template, overall, and the budgets: what `imagegen stats --json`
/// prints and `GET /v1/stats` answers — one computation for both. Nulls are written out: an
/// unknown cost or an unscored group reads `null`, never 0 and never a missing field.
package struct StatsReport: Encodable, Sendable {
    /// One group, with nulls written out.
    package struct Line: Encodable, Sendable {
        package var stats: GroupStats
        package init(stats: GroupStats) { self.stats = stats }
        enum CodingKeys: String, CodingKey {
            case key, attempts, succeeded, failed, cancelled, images
            case contentFiltered = "content_filtered", rateLimited = "rate_limited", successRate = "success_rate"
            case durationMean = "duration_mean_s", durationP50 = "duration_p50_s", durationP95 = "duration_p95_s"
            case durationMax = "duration_max_s", spent = "spent_usd", costPerImage = "cost_per_image_usd"
            case unknownCostImages = "unknown_cost_images", qualityMean = "quality_mean", qualityCount = "quality_count"
        }
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(stats.key, forKey: .key)
            try c.encode(stats.attempts, forKey: .attempts)
            try c.encode(stats.succeeded, forKey: .succeeded)
            try c.encode(stats.succeeded, forKey: .images)
            try c.encode(stats.failed, forKey: .failed)
            try c.encode(stats.contentFiltered, forKey: .contentFiltered)
            try c.encode(stats.cancelled, forKey: .cancelled)
            try c.encode(stats.rateLimited, forKey: .rateLimited)
            try c.encode(stats.successRate, forKey: .successRate)
            try c.encode(stats.duration?.mean, forKey: .durationMean)
            try c.encode(stats.duration?.p50, forKey: .durationP50)
            try c.encode(stats.duration?.p95, forKey: .durationP95)
            try c.encode(stats.duration?.max, forKey: .durationMax)
            try c.encode(stats.spentUSD, forKey: .spent)
            try c.encode(stats.costPerImageUSD, forKey: .costPerImage)
            try c.encode(stats.unknownCostImages, forKey: .unknownCostImages)
            try c.encode(stats.qualityMean, forKey: .qualityMean)
            try c.encode(stats.qualityCount, forKey: .qualityCount)
        }
    }

    package var by: StatsDimension
    package var since: Date?
    /// Every finished job as one group named "all".
    package var total: Line
    package var groups: [Line]
    package var budgets: [BudgetStatus]
    /// How many finished jobs the report covers (0: the catalog has none in the window).
    package var records: Int

    enum CodingKeys: String, CodingKey { case by, since, total, groups, budgets }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(by.rawValue, forKey: .by)
        try c.encode(since, forKey: .since)
        try c.encode(total, forKey: .total)
        try c.encode(groups, forKey: .groups)
        try c.encode(budgets, forKey: .budgets)
    }

    /// Reads the jobs finished at or after `since` and the budgets' state at `now`.
    package init(catalog: any CatalogStore & GenerationRecordStore, budgets: BudgetSettings, by: StatsDimension, since: Date?, now: Date) throws {
        let finished = try catalog.generationRecords(finishedFrom: since, before: nil, limit: 1_000_000)
        self.by = by
        self.since = since
        records = finished.count
        total = Line(stats: GenerationStats.overall(finished))
        groups = GenerationStats.group(finished, by: by).map(Line.init)
        self.budgets = try catalog.budgetStatus(BudgetPolicy(settings: budgets), categories: budgets.categories.keys.sorted(), now: now)
    }
}
