import Foundation
import Host
import Catalog
import ImagegenCore
import Operations

/// `imagegen costs [--since D] [--by model|category|plugin|day] [--json]`: the ledger, summed
/// (`CostReport`, which `GET /v1/costs` answers too). Unknown costs are counted and shown as
/// unknown, never added as 0.
struct CostsCommand: Command {
    static let name = "costs"
    static let summary = "spending from the ledger, by model, category or day, and the budgets"
    static let options: Set<String> = ["since", "by"]
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let byText = args.string("by") ?? "model"
        guard let by = CostReport.Dimension(rawValue: byText) else { throw .usage("--by must be model, category, plugin or day") }
        let since = try args.string("since").map { s throws(CLIError) in try DateArgument.parse(s, option: "since") }
        let catalog = try context.catalog()
        let runtime = try context.runtime()
        let report = try context.catalogCall {
            try CostReport(catalog: catalog, budgets: runtime.configuration.budgets, by: by, since: since, now: Date())
        }
        if args.json { Output.json(report); return .success }
        Output.table([by.rawValue.uppercased(), "IMAGES", "COST", "UNKNOWN"], report.groups.map { g in
            [g.key, "\(g.images)", Output.money(g.totalUSD), g.unknownCostImages == 0 ? "" : "\(g.unknownCostImages) image(s) of unknown cost"]
        })
        for b in report.budgets {
            print(String(format: "budget %@: $%.4f of $%.4f spent, $%.4f reserved, $%.4f left (resets %@)", b.name, b.spent, b.limit,
                         b.reserved, b.remaining, ISO8601DateFormatter().string(from: b.resetsAt)))
        }
        return .success
    }
}
