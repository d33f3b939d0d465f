import Catalog

/// Daily image counts in the catalog (`quota_daily`), so a restarted host keeps counting where
/// it stopped instead of granting a fresh day.
///
/// Only the process that runs jobs (the runner-lock holder) admits provider quotas and only
/// the server admits API-token quotas, so one writer per scope keeps these totals exact.
///
/// The table is created when the catalog opens (`SQLiteCatalog.init` migrates the security
/// module), so a save before any read is kept; errors reach the enforcer, which logs them.
extension SQLiteCatalog: QuotaUsageStore {
    public func dailyImageCounts(day: String) throws -> [QuotaScope: Int] {
        var counts: [QuotaScope: Int] = [:]
        for row in try database.query("SELECT scope, images FROM quota_daily WHERE day = ?", [.text(day)]) {
            if let scope = QuotaScope(storageKey: row["scope"]?.string ?? ""), let images = row["images"]?.int {
                counts[scope] = Int(images)
            }
        }
        return counts
    }

    public func saveDailyImageCount(_ count: Int, scope: QuotaScope, day: String) throws {
        try database.query("""
            INSERT INTO quota_daily (scope, day, images) VALUES (?, ?, ?)
            ON CONFLICT (scope, day) DO UPDATE SET images = excluded.images
            """, [.text(scope.storageKey), .text(day), .integer(Int64(count))])
    }
}
