/// The budget's answer to "how many of these images can run now?".
public struct BudgetFit: Sendable, Hashable {
    /// How many of the requested images fit (clamped to 0…requested by the scheduler).
    public let count: Int
    /// Why not all of them fit, with the numbers (e.g. "daily budget 10.00 USD: 9.40 spent, 0.25 per image").
    public let reason: String?

    public init(count: Int, reason: String? = nil) {
        self.count = count
        self.reason = reason
    }

    /// Everything fits.
    public static func all(_ count: Int) -> BudgetFit { BudgetFit(count: count) }
}
