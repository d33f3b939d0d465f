import Foundation
import Catalog

/// The alerts in the catalog: the `alerts` table, one row per alert instance.
///
/// Keyed by (`id`, `started_at`); a partial unique index on `id WHERE ended_at IS NULL` lets the
/// database itself refuse a second active instance of the same condition, so two evaluations (or
/// two processes) racing on one condition record — and page — once. Every call is one statement,
/// committed when it returns, so a restarted host reads back what it already reported.
package final class CatalogAlertStore: AlertStore {
    static let schema = CatalogModuleSchema(module: "alerts", migrations: [
        """
        CREATE TABLE alerts (
            id TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            rule TEXT NOT NULL,
            subject TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('info','warning','critical')),
            message TEXT NOT NULL,
            PRIMARY KEY (id, started_at),
            CHECK (ended_at IS NULL OR ended_at >= started_at)
        ) STRICT;
        CREATE UNIQUE INDEX alerts_one_active ON alerts (id) WHERE ended_at IS NULL;
        CREATE INDEX alerts_started ON alerts (started_at);
        """,
    ])

    private let catalog: SQLiteCatalog

    /// Opens the store on `catalog`, creating or upgrading its table.
    package init(catalog: SQLiteCatalog) throws {
        self.catalog = catalog
        try catalog.migrate(Self.schema)
    }

    package func activeAlerts() throws -> [Alert] {
        try catalog.database.query("SELECT * FROM alerts WHERE ended_at IS NULL ORDER BY started_at, id")
            .map(Self.alert(from:))
    }

    package func insertIfNotActive(_ alert: Alert) throws -> Bool {
        // DO NOTHING without a target covers every uniqueness constraint, the partial index included.
        let inserted = try catalog.database.query("""
            INSERT INTO alerts (id, started_at, ended_at, rule, subject, severity, message)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            RETURNING id
            """, [.text(alert.id), .integer(catalog.ms(alert.startedAt)),
                  alert.endedAt.map { .integer(catalog.ms($0)) } ?? .null, .text(alert.rule), .text(alert.subject),
                  .text(alert.severity.rawValue), .text(alert.message)])
        return !inserted.isEmpty
    }

    package func resolve(id: String, startedAt: Date, endedAt: Date) throws {
        try catalog.database.query("""
            UPDATE alerts SET ended_at = MAX(?3, started_at) WHERE id = ?1 AND started_at = ?2 AND ended_at IS NULL
            """, [.text(id), .integer(catalog.ms(startedAt)), .integer(catalog.ms(endedAt))])
    }

    package func alerts(since: Date?, activeOnly: Bool, limit: Int) throws -> [Alert] {
        try catalog.database.query("""
            SELECT * FROM alerts WHERE (?1 IS NULL OR started_at >= ?1) AND (?2 = 0 OR ended_at IS NULL)
            ORDER BY started_at DESC, id DESC LIMIT ?3
            """, [since.map { .integer(catalog.ms($0)) } ?? .null, .integer(activeOnly ? 1 : 0),
                  .integer(Int64(max(0, limit)))]).map(Self.alert(from:))
    }

    private static func alert(from r: SQLiteDatabase.Row) -> Alert {
        func date(_ v: SQLiteDatabase.Value?) -> Date? { v?.int.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
        return Alert(id: r["id"]?.string ?? "", rule: r["rule"]?.string ?? "", subject: r["subject"]?.string ?? "",
                     severity: AlertSeverity(rawValue: r["severity"]?.string ?? "") ?? .warning,
                     startedAt: date(r["started_at"]) ?? Date(timeIntervalSince1970: 0), endedAt: date(r["ended_at"]),
                     message: r["message"]?.string ?? "")
    }
}
