import Foundation
import Catalog
import ImagegenCore

/// Daily quota counts and remembered security facts, shared by every host on the database.
extension PostgresCatalog: QuotaUsageStore, SecurityStateStore {
    package func dailyImageCounts(day: String) throws -> [QuotaScope: Int] {
        var counts: [QuotaScope: Int] = [:]
        for row in try db.query("SELECT scope, images FROM quota_daily WHERE day = $1", [.text(day)]) {
            if let scope = QuotaScope(storageKey: row["scope"]?.string ?? ""), let images = row["images"]?.int {
                counts[scope] = Int(images)
            }
        }
        return counts
    }

    package func saveDailyImageCount(_ count: Int, scope: QuotaScope, day: String) throws {
        try db.query("""
            INSERT INTO quota_daily (scope, day, images) VALUES ($1, $2, $3)
            ON CONFLICT (scope, day) DO UPDATE SET images = excluded.images
            """, [.text(scope.storageKey), .text(day), .integer(Int64(count))])
    }

    package func securityState(_ name: String) throws -> String? {
        try db.query("SELECT value FROM security_state WHERE name = $1", [.text(name)]).first?["value"]?.string
    }

    package func setSecurityState(_ name: String, to value: String, now: Date) throws {
        try db.query("""
            INSERT INTO security_state (name, value, updated_at) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, [.text(name), .text(value), .integer(TimeBounds.milliseconds(now))])
    }

    package func markAudited(_ marker: String) throws -> Bool {
        let inserted = try db.query("""
            INSERT INTO security_state (name, value, updated_at)
            VALUES ($1, 'audited', (extract(epoch FROM clock_timestamp()) * 1000)::bigint) ON CONFLICT DO NOTHING RETURNING name
            """, [.text(marker)])
        return !inserted.isEmpty
    }
}
