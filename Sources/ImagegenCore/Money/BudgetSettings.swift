import Foundation
import ImagegenJSON

/// Spending limits in USD. Each is optional; a category may have its own.
public struct BudgetSettings: Sendable, Codable, Equatable {
    public var daily: Double?
    public var monthly: Double?
    public var categories: [String: CategoryBudget] = [:]
    /// Allow models without a known price while a budget is set (their cost cannot be
    /// reserved, so the budget can then be overspent). Off by default.
    public var allowUnpriced = false
    /// The time zone that decides where a "day" and a "month" start (IANA name).
    public var timeZone = "UTC"

    public init() {}
    enum CodingKeys: String, CodingKey {
        case daily, monthly, categories
        case allowUnpriced = "allow_unpriced", timeZone = "time_zone"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        daily = try c.decodeIfPresent(Double.self, forKey: .daily)
        monthly = try c.decodeIfPresent(Double.self, forKey: .monthly)
        categories = try c.decodeIfPresent([String: CategoryBudget].self, forKey: .categories) ?? [:]
        allowUnpriced = try c.decodeIfPresent(Bool.self, forKey: .allowUnpriced) ?? false
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone) ?? "UTC"
    }
}

public struct CategoryBudget: Sendable, Codable, Equatable {
    public var daily: Double?
    public var monthly: Double?
}
