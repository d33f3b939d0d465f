import Foundation
import Catalog
import Templates

extension SQLiteCatalog: TemplateHistoryStore {
    /// Records the versions of a loaded library; known versions are left as they are.
    public func recordTemplateVersions(_ templates: [PromptTemplate], reason: String = "loaded", now: Date = Date()) throws {
        try migrate(ContentSchema.schema)
        try database.transaction {
            for t in templates {
                try database.query("""
                    INSERT INTO template_versions (name, version, category, template, first_seen_at, reason)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
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
