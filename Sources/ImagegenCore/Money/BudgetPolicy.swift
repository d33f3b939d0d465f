import Foundation

/// The budgets that apply to a request, as windows with limits. Reservations are checked
/// against them inside the catalog's write transaction (see `CatalogStore.enqueue`), so
/// concurrent requests — even from two processes — cannot overspend.
public struct BudgetPolicy: Sendable {
    public struct Window: Sendable, Equatable {
        /// "daily", "monthly", "daily:lingerie"...
        public var name: String
        public var category: String?
        public var limit: Double
        public var start: Date
        public var end: Date
    }

    let settings: BudgetSettings
    let calendar: Calendar

    public init(settings: BudgetSettings) {
        self.settings = settings
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.configured(settings.timeZone) ?? .utc
        self.calendar = calendar
    }

    public var isEmpty: Bool { windows(category: nil, at: Date()).isEmpty && settings.categories.isEmpty }

    /// The windows that apply to one category at `now` (global ones plus the category's).
    public func windows(category: String?, at now: Date) -> [Window] {
        var out: [Window] = []
        let day = calendar.dateInterval(of: .day, for: now)!
        let month = calendar.dateInterval(of: .month, for: now)!
        if let d = settings.daily { out.append(Window(name: "daily", category: nil, limit: d, start: day.start, end: day.end)) }
        if let m = settings.monthly { out.append(Window(name: "monthly", category: nil, limit: m, start: month.start, end: month.end)) }
        if let category, let c = settings.categories[category] {
            if let d = c.daily { out.append(Window(name: "daily:\(category)", category: category, limit: d, start: day.start, end: day.end)) }
            if let m = c.monthly { out.append(Window(name: "monthly:\(category)", category: category, limit: m, start: month.start, end: month.end)) }
        }
        return out
    }

    public var allowsUnpriced: Bool { settings.allowUnpriced }
}

/// A request refused because it would exceed a budget.
public struct BudgetRefusal: Error, Sendable, CustomStringConvertible, Equatable {
    public var budget: String
    public var limit: Double
    public var spent: Double
    public var reserved: Double
    public var requested: Double
    public var resetsAt: Date

    public var description: String {
        let f = ISO8601DateFormatter()
        return String(format: "budget %@ would be exceeded: limit $%.4f, spent $%.4f plus $%.4f reserved by running jobs, this request needs $%.4f; it resets at %@. Raise budgets.%@ in the config or wait.",
                      budget, limit, spent, reserved, requested, f.string(from: resetsAt),
                      budget.replacingOccurrences(of: ":", with: " for category "))
    }
    public init(budget: String, limit: Double, spent: Double, reserved: Double, requested: Double, resetsAt: Date) {
        self.budget = budget
        self.limit = limit
        self.spent = spent
        self.reserved = reserved
        self.requested = requested
        self.resetsAt = resetsAt
    }
}

/// A model without a price while a budget is set.
public struct UnpricedModelRefusal: Error, Sendable, CustomStringConvertible {
    public var model: String
    public var description: String {
        "model \(model) has no known price, so a budget cannot be enforced for it. Set models.\(model).price in the config, or set budgets.allow_unpriced: true to accept the risk."
    }
    public init(model: String) {
        self.model = model
    }
}
