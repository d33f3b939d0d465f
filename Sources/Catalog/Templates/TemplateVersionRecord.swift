import Foundation

/// Template versions as the catalog remembers them: every version a template had, when it was
/// first seen, and why (loaded from its file, or promoted from an experiment).
public struct TemplateVersionRecord: Sendable, Codable, Equatable {
    public var name: String
    public var version: String
    public var category: String
    public var firstSeenAt: Date
    public var reason: String
    enum CodingKeys: String, CodingKey {
        case name, version, category, reason
        case firstSeenAt = "first_seen_at"
    }
    public init(name: String, version: String, category: String, firstSeenAt: Date, reason: String) {
        self.name = name
        self.version = version
        self.category = category
        self.firstSeenAt = firstSeenAt
        self.reason = reason
    }
}
