/// A provider's remaining prepaid balance (e.g. Stability AI's credits), as its plugin reports it.
public struct ProviderBalance: Sendable, Hashable, Codable {
    public var provider: String
    public var remaining: Double
    /// "credits", "USD"…: shown in messages only.
    public var unit: String

    public init(provider: String, remaining: Double, unit: String) {
        self.provider = provider
        self.remaining = remaining
        self.unit = unit
    }
}
