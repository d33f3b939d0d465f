import Foundation
import Host
import Catalog
import Operations

/// `imagegen stats [--since D] [--by model|provider|category|template] [--json]`: generation time
/// (mean, p50, p95 of succeeded jobs), success rate, cost per image and mean quality per group,
/// images and spending per group, and the budgets (`StatsReport`, which `GET /v1/stats` answers
/// too). Unknown costs are counted, never priced as 0.
struct StatsCommand: Command {
    static let name = "stats"
    static let summary = "generation statistics by model, provider, category or template, and the budgets"
    static let options: Set<String> = ["since", "by"]
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let byText = args.string("by") ?? "model"
        guard let by = StatsDimension(rawValue: byText) else {
            throw .usage("--by must be one of \(StatsDimension.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let since = try args.string("since").map { s throws(CLIError) in try DateArgument.parse(s, option: "since") }
        let catalog = try context.operationsCatalog()
        let settings = try context.runtime().configuration.budgets
        let stats = try context.catalogCall { try StatsReport(catalog: catalog, budgets: settings, by: by, since: since, now: Date()) }
        if args.json { Output.json(stats); return .success }
        if stats.records == 0 { print("no finished job\(since == nil ? "" : " since then") in the catalog") }
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
        for b in stats.budgets {
            print(String(format: "budget %@: $%.4f spent + $%.4f reserved of $%.4f, $%.4f remaining", b.name, b.spent, b.reserved,
                         b.limit, b.remaining))
        }
        return .success
    }
}
