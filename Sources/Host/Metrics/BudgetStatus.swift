import Foundation

/// A budget's state for the current period, as the budget system reports it.
public struct BudgetStatus: Sendable, Hashable, Codable {
    /// e.g. "daily", "monthly", "category:lingerie".
    public var name: String
    public var limitUSD: Decimal
    /// Actual cost plus open reservations in the current period.
    public var spentUSD: Decimal

    public init(name: String, limitUSD: Decimal, spentUSD: Decimal) {
        self.name = name
        self.limitUSD = limitUSD
        self.spentUSD = spentUSD
    }

    public var remainingUSD: Decimal { max(0, limitUSD - spentUSD) }

    /// spent / limit (1 when the limit is 0 and anything was spent, 0 when nothing was).
    public var usedRatio: Double {
        guard limitUSD > 0 else { return spentUSD > 0 ? 1 : 0 }
        return NSDecimalNumber(decimal: spentUSD / limitUSD).doubleValue
    }
}
