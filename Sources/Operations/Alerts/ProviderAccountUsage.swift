/// Usage against a configured account limit (e.g. images per month on a plan).
public struct ProviderAccountUsage: Sendable, Hashable, Codable {
    public var provider: String
    public var used: Double
    public var limit: Double
    public var unit: String

    public init(provider: String, used: Double, limit: Double, unit: String) {
        self.provider = provider
        self.used = used
        self.limit = limit
        self.unit = unit
    }
}
