import Foundation
import Host
import Catalog
import Operations

/// `imagegen stats [--since D] [--by model|provider|category|template] [--json]`: generation time
/// (mean, p50, p95 of succeeded jobs), success rate, cost per image and mean quality per group,
/// images and spending per group, and the budgets. Unknown costs are counted, never priced as 0.
struct StatsCommand: Command {
    static let name = "stats"
    static let summary = "generation statistics by model, provider, category or template, and the budgets"
    static let options: Set<String> = ["since", "by"]
    static let flags: Set<String> = []

    /// One group, with nulls written out (an unknown cost or an unscored group reads as null).
    struct Line: Encodable {
        var stats: GroupStats
        enum CodingKeys: String, CodingKey {
            case key, attempts, succeeded, failed, cancelled, images
            case contentFiltered = "content_filtered", rateLimited = "rate_limited", successRate = "success_rate"
            case durationMean = "duration_mean_s", durationP50 = "duration_p50_s", durationP95 = "duration_p95_s"
            case durationMax = "duration_max_s", spent = "spent_usd", costPerImage = "cost_per_image_usd"
            case unknownCostImages = "unknown_cost_images", qualityMean = "quality_mean", qualityCount = "quality_count"
        }
        func encode(to encoder: any Encoder) throws {
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

    struct Budget: Encodable {
        var status: BudgetStatus
        enum CodingKeys: String, CodingKey { case name, limit, spent, reserved, remaining, resetsAt = "resets_at" }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(status.name, forKey: .name)
            try c.encode(status.limit, forKey: .limit)
            try c.encode(status.spent, forKey: .spent)
            try c.encode(status.reserved, forKey: .reserved)
            try c.encode(status.remaining, forKey: .remaining)
            try c.encode(status.resetsAt, forKey: .resetsAt)
        }
    }

    struct Stats: Encodable {
        var by: String
        var since: Date?
        var total: Line
        var groups: [Line]
        var budgets: [Budget]
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(by, forKey: .by)
            try c.encode(since, forKey: .since)
            try c.encode(total, forKey: .total)
            try c.encode(groups, forKey: .groups)
            try c.encode(budgets, forKey: .budgets)
        }
        enum CodingKeys: String, CodingKey { case by, since, total, groups, budgets }
    }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let byText = args.string("by") ?? "model"
        guard let by = StatsDimension(rawValue: byText) else {
            throw .usage("--by must be one of \(StatsDimension.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let since = try args.string("since").map { s throws(CLIError) in try DateArgument.parse(s, option: "since") }
        let catalog = try context.operationsCatalog()
        let service = try context.generator().service
        let records = try context.catalogCall { try catalog.generationRecords(finishedFrom: since) }
        let budgets = try context.catalogCall {
            try catalog.budgetStatus(service.budgets, categories: service.runtime.configuration.budgets.categories.keys.sorted(),
                                     now: Date())
        }
        let stats = Stats(by: by.rawValue, since: since, total: Line(stats: GenerationStats.overall(records)),
                          groups: GenerationStats.group(records, by: by).map(Line.init), budgets: budgets.map(Budget.init))
        if args.json { Output.json(stats); return .success }
        if records.isEmpty { print("no finished job\(since == nil ? "" : " since then") in the catalog") }
        func seconds(_ v: Double?) -> String { v.map { String(format: "%.2fs", $0) } ?? "-" }
        Output.table([by.rawValue.uppercased(), "JOBS", "OK", "SUCCESS", "MEAN", "P50", "P95", "COST/IMAGE", "SPENT", "QUALITY"],
                     (stats.groups + [stats.total]).map { line in
            let s = line.stats
            return [s.key, "\(s.attempts)", "\(s.succeeded)", s.successRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-",
                    seconds(s.duration?.mean), seconds(s.duration?.p50), seconds(s.duration?.p95),
                    s.costPerImageUSD.map { Output.money($0) } ?? (s.succeeded > 0 ? "unknown" : "-"),
                    Output.money(s.spentUSD) + (s.unknownCostImages > 0 ? " (+\(s.unknownCostImages) unknown)" : ""),
                    s.qualityMean.map { String(format: "%.1f (%d)", $0, s.qualityCount) } ?? "-"]
        })
        for b in budgets {
            print(String(format: "budget %@: $%.4f spent + $%.4f reserved of $%.4f, $%.4f remaining", b.name, b.spent, b.reserved,
                         b.limit, b.remaining))
        }
        return .success
    }
}
