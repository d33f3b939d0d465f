import Foundation
import Catalog
import ImagegenCore

/// Security facts in `security_state` (created with the security tables when prompts are
/// protected, `protectPrompts(with:)`).
extension SQLiteCatalog: SecurityStateStore {
    public func securityState(_ name: String) throws -> String? {
        try database.query("SELECT value FROM security_state WHERE name = ?", [.text(name)]).first?["value"]?.string
    }

    public func setSecurityState(_ name: String, to value: String, now: Date) throws {
        try database.query("""
            INSERT INTO security_state (name, value, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, [.text(name), .text(value), .integer(TimeBounds.milliseconds(now))])
    }

    public func markAudited(_ marker: String) throws -> Bool {
        let inserted = try database.query("""
            INSERT INTO security_state (name, value, updated_at)
            VALUES (?, 'audited', CAST(strftime('%s','now') AS INTEGER) * 1000) ON CONFLICT DO NOTHING RETURNING name
            """, [.text(marker)])
        return !inserted.isEmpty
    }
}
