import Foundation
import Host
import Catalog
import ImagegenCore

/// `imagegen costs [--since D] [--by model|category|day] [--json]`: the ledger, summed. Unknown
/// costs are counted and shown as unknown, never added as 0.
struct CostsCommand: Command {
    static let name = "costs"
    static let summary = "spending from the ledger, by model, category or day, and the budgets"
    static let options: Set<String> = ["since", "by"]
    static let flags: Set<String> = []

    struct Group: Codable {
        var key: String
        var images: Int
        /// Sum of the known costs.
        var knownCostUSD: Double
        /// Images whose cost is unknown (not included in the sum).
        var unknownCostImages: Int
        /// null when every cost in the group is unknown.
        var totalUSD: Double?
        enum CodingKeys: String, CodingKey {
            case key, images
            case knownCostUSD = "known_cost_usd", unknownCostImages = "unknown_cost_images", totalUSD = "total_usd"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            try c.encode(images, forKey: .images)
            try c.encode(knownCostUSD, forKey: .knownCostUSD)
            try c.encode(unknownCostImages, forKey: .unknownCostImages)
            try c.encode(totalUSD, forKey: .totalUSD)
        }
    }

    struct Report: Codable {
        var by: String
        var since: Date?
        var groups: [Group]
        var budgets: [BudgetStatus]
    }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let by = args.string("by") ?? "model"
        guard ["model", "category", "day", "plugin"].contains(by) else { throw .usage("--by must be model, category, plugin or day") }
        let since = try args.string("since").map { s throws(CLIError) in try DateArgument.parse(s, option: "since") }
        let catalog = try context.catalog()
        let runtime = try context.runtime()
        let entries = try context.catalogCall { try catalog.ledger(since: since) }
        let report = Report(by: by, since: since, groups: CostsCommand.group(entries, by: by),
                            budgets: try context.catalogCall {
                                try catalog.budgetStatus(BudgetPolicy(settings: runtime.configuration.budgets),
                                                         categories: Array(runtime.configuration.budgets.categories.keys), now: Date())
                            })
        if args.json { Output.json(report); return .success }
        Output.table([by.uppercased(), "IMAGES", "COST", "UNKNOWN"], report.groups.map { g in
            [g.key, "\(g.images)", Output.money(g.totalUSD), g.unknownCostImages == 0 ? "" : "\(g.unknownCostImages) image(s) of unknown cost"]
        })
        for b in report.budgets {
            print(String(format: "budget %@: $%.4f of $%.4f spent, $%.4f reserved, $%.4f left (resets %@)", b.name, b.spent, b.limit,
                         b.reserved, b.remaining, ISO8601DateFormatter().string(from: b.resetsAt)))
        }
        return .success
    }

    static func group(_ entries: [LedgerEntry], by: String) -> [Group] {
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        let grouped = Dictionary(grouping: entries) { e -> String in
            switch by {
            case "category": return e.category
            case "day": return day.string(from: e.at)
            case "plugin": return e.plugin ?? "-"
            default: return e.model
            }
        }
        return grouped.keys.sorted().map { key in
            let g = grouped[key]!
            let known = g.compactMap(\.costUSD)
            return Group(key: key, images: g.count, knownCostUSD: known.reduce(0, +), unknownCostImages: g.count - known.count,
                         totalUSD: known.isEmpty ? nil : known.reduce(0, +))
        }
    }
}
