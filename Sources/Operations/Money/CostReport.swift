import Foundation
import Catalog
import ImagegenCore

/// Spending from the ledger, summed per model, category, plugin or UTC day, with the budgets:
/// what `imagegen costs --json` prints and `GET /v1/costs` answers. One computation for both,
/// so the CLI and the API can never disagree about money. Unknown costs are counted in
/// `unknown_cost_images` and never added as 0; a group whose every cost is unknown totals null.
package struct CostReport: Encodable, Sendable {
    /// What the groups are keyed by.
    package enum Dimension: String, Sendable, CaseIterable {
        case model, category, plugin, day
    }

    package struct Group: Encodable, Sendable, Equatable {
        package var key: String
        package var images: Int
        /// Sum of the known costs.
        package var knownCostUSD: Double
        /// Images whose cost is unknown (not included in the sum).
        package var unknownCostImages: Int
        /// Nil when every cost in the group is unknown.
        package var totalUSD: Double?
        enum CodingKeys: String, CodingKey {
            case key, images
            case knownCostUSD = "known_cost_usd", unknownCostImages = "unknown_cost_images", totalUSD = "total_usd"
        }
        // Written by hand so that an unknown total reads `null` instead of disappearing.
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            try c.encode(images, forKey: .images)
            try c.encode(knownCostUSD, forKey: .knownCostUSD)
            try c.encode(unknownCostImages, forKey: .unknownCostImages)
            try c.encode(totalUSD, forKey: .totalUSD)
        }
    }

    package var by: Dimension
    package var since: Date?
    package var groups: [Group]
    package var budgets: [BudgetStatus]

    enum CodingKeys: String, CodingKey { case by, since, groups, budgets }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(by.rawValue, forKey: .by)
        try c.encodeIfPresent(since, forKey: .since)
        try c.encode(groups, forKey: .groups)
        try c.encode(budgets, forKey: .budgets)
    }

    /// Reads the ledger (entries at or after `since`) and the budgets' state at `now`.
    package init(catalog: some CatalogStore, budgets: BudgetSettings, by: Dimension, since: Date?, now: Date) throws {
        self.by = by
        self.since = since
        groups = CostReport.group(try catalog.ledger(since: since), by: by)
        self.budgets = try catalog.budgetStatus(BudgetPolicy(settings: budgets), categories: budgets.categories.keys.sorted(), now: now)
    }

    /// Sums ledger entries per key, sorted by key.
    package static func group(_ entries: [LedgerEntry], by: Dimension) -> [Group] {
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"
        day.timeZone = TimeZone(identifier: "UTC")
        let grouped = Dictionary(grouping: entries) { e -> String in
            switch by {
            case .category: return e.category
            case .day: return day.string(from: e.at)
            case .plugin: return e.plugin ?? "-"
            case .model: return e.model
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
