import Foundation
import Templates

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
}

extension SQLiteCatalog {
    /// Records the versions of a loaded library; known versions are left as they are.
    public func recordTemplateVersions(_ templates: [PromptTemplate], reason: String = "loaded", now: Date = Date()) throws {
        try migrate(ContentSchema.schema)
        try database.transaction {
            for t in templates {
                try database.query("""
                    INSERT OR IGNORE INTO template_versions (name, version, category, template, first_seen_at, reason)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, [.text(t.name), .text(t.version.description), .text(t.category),
                          .text(String(decoding: t.canonicalJSON, as: UTF8.self)), .integer(ms(now)), .text(reason)])
            }
        }
    }

    public func templateHistory(_ name: String) throws -> [TemplateVersionRecord] {
        try migrate(ContentSchema.schema)
        return try database.query("SELECT * FROM template_versions WHERE name = ? ORDER BY first_seen_at, version", [.text(name)]).map { r in
            TemplateVersionRecord(name: r["name"]?.string ?? "", version: r["version"]?.string ?? "",
                                  category: r["category"]?.string ?? "",
                                  firstSeenAt: Date(timeIntervalSince1970: Double(r["first_seen_at"]?.int ?? 0) / 1000),
                                  reason: r["reason"]?.string ?? "")
        }
    }
}
