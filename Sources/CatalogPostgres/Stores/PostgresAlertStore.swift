import Foundation
import Catalog

/// The alerts on PostgreSQL: the partial unique index on `id WHERE ended_at IS NULL` makes the
/// database refuse a second active instance, so hosts racing on one condition page once.
package final class PostgresAlertStore: AlertStore {
    private let catalog: PostgresCatalog

    package init(catalog: PostgresCatalog) { self.catalog = catalog }

    package func activeAlerts() throws -> [Alert] {
        try catalog.db.query("SELECT * FROM alerts WHERE ended_at IS NULL ORDER BY started_at, id").map(Self.alert(from:))
    }

    package func insertIfNotActive(_ alert: Alert) throws -> Bool {
        let inserted = try catalog.db.query("""
            INSERT INTO alerts (id, started_at, ended_at, rule, subject, severity, message)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id
            """, [.text(alert.id), .integer(catalog.ms(alert.startedAt)),
                  alert.endedAt.map { .integer(catalog.ms($0)) } ?? .null, .text(alert.rule), .text(alert.subject),
                  .text(alert.severity.rawValue), .text(alert.message)])
        return !inserted.isEmpty
    }

    package func resolve(id: String, startedAt: Date, endedAt: Date) throws {
        try catalog.db.query("""
            UPDATE alerts SET ended_at = GREATEST($3, started_at) WHERE id = $1 AND started_at = $2 AND ended_at IS NULL
            """, [.text(id), .integer(catalog.ms(startedAt)), .integer(catalog.ms(endedAt))])
    }

    package func alerts(since: Date?, activeOnly: Bool, limit: Int) throws -> [Alert] {
        try catalog.db.query("""
            SELECT * FROM alerts WHERE ($1::bigint IS NULL OR started_at >= $1) AND ($2::bigint = 0 OR ended_at IS NULL)
            ORDER BY started_at DESC, id DESC LIMIT $3
            """, [since.map { .integer(catalog.ms($0)) } ?? .null, .integer(activeOnly ? 1 : 0),
                  .integer(Int64(max(0, limit)))]).map(Self.alert(from:))
    }

    private static func alert(from r: PostgresDatabase.Row) -> Alert {
        func date(_ v: PostgresDatabase.Value?) -> Date? { v?.int.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
        return Alert(id: r["id"]?.string ?? "", rule: r["rule"]?.string ?? "", subject: r["subject"]?.string ?? "",
                     severity: AlertSeverity(rawValue: r["severity"]?.string ?? "") ?? .warning,
                     startedAt: date(r["started_at"]) ?? Date(timeIntervalSince1970: 0), endedAt: date(r["ended_at"]),
                     message: r["message"]?.string ?? "")
    }
}

extension PostgresCatalog: AlertStoreOpening {
    package func openAlertStore() throws -> any AlertStore { PostgresAlertStore(catalog: self) }
}
