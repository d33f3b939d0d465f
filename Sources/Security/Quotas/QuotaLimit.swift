import Catalog
/// One limit: so many requests per minute, or so many images per day, for one scope.
public struct QuotaLimit: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable, Codable {
        /// Requests in any sliding 60-second window.
        case requestsPerMinute = "requests_per_minute"
        /// Images in one calendar day (UTC unless configured), reset at midnight.
        case imagesPerDay = "images_per_day"

        var unit: String {
            switch self {
            case .requestsPerMinute: return "requests per minute"
            case .imagesPerDay: return "images per day"
            }
        }
    }

    public let scope: QuotaScope
    public let kind: Kind
    public let value: Int

    public init(scope: QuotaScope, kind: Kind, value: Int) {
        self.scope = scope
        self.kind = kind
        self.value = value
    }

    public var description: String { "\(scope) allows \(value) \(kind.unit)" }
}
