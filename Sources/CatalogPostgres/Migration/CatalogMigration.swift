import Foundation
import Catalog
import CatalogSQLite
import Crypto

/// `imagegen catalog migrate --to postgresql://…`: copies a SQLite catalog into an empty
/// PostgreSQL one, table by table in the SQLite file's row order (parents before children;
/// tables without rowid by primary key), in batches: each batch is one PostgreSQL transaction
/// that also records how many rows of the table are copied (`catalog_migration`), so an
/// interrupted copy resumes after its last committed batch and never copies a row twice. The
/// SQLite file must not change meanwhile (serve stopped on that host). Then every table is verified: the same row count and the same
/// checksum (SHA-256 over each row's values in canonical form, order-independent).
package struct CatalogMigration {
    /// The tables copied, parents before children (foreign keys), with their columns as in SQLite.
    package static let tables = ["jobs", "images", "ledger", "template_versions", "ratings", "reservations", "profiles",
                                 "prompt_words", "quota_daily", "security_state", "alerts", "slot_runs", "scheduler_state",
                                 "post_processing_runs", "uploads", "image_reviews", "users", "sessions", "image_fingerprints",
                                 "takedowns", "tombstones"]
    /// Identity columns whose sequences must continue after the copied ids.
    static let identities = ["ledger": "id", "uploads": "id"]

    package struct TableReport: Sendable, Equatable {
        package var table: String
        package var rows: Int
        package var copiedNow: Int
        package var checksum: String
    }

    let source: SQLiteDatabase
    let target: PostgresDatabase
    let batch: Int

    package init(source: SQLiteDatabase, target: PostgresCatalog, batch: Int = 1000) {
        self.source = source
        self.target = target.db
        self.batch = max(1, batch)
    }

    /// Copies what is not copied yet and verifies every table. `stopAfterBatches` interrupts the
    /// copy after that many batches (how the tests stand in for a killed process).
    package func run(stopAfterBatches: Int? = nil, progress: (String) -> Void = { _ in }) throws -> [TableReport] {
        try target.execute("""
            CREATE TABLE IF NOT EXISTS catalog_migration (
                table_name TEXT PRIMARY KEY, rows_copied BIGINT NOT NULL, finished_at BIGINT)
            """)
        try refuseNonEmptyTarget()
        var batches = 0
        var copied: [String: Int] = [:]
        for table in Self.tables where try sourceHas(table) {
            let columns = try sourceColumns(table)
            let list = columns.joined(separator: ", ")
            let placeholders = columns.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
            let order = try sourceOrder(table)
            var done = try target.query("SELECT rows_copied FROM catalog_migration WHERE table_name = $1", [.text(table)])
                .first?["rows_copied"]?.int ?? 0
            while true {
                let rows = try source.query("SELECT \(list) FROM \(table) ORDER BY \(order) LIMIT ? OFFSET ?",
                                            [.integer(Int64(batch)), .integer(done)])
                guard !rows.isEmpty else { break }
                if let stop = stopAfterBatches, batches >= stop { throw MigrationError.interrupted(table: table) }
                try target.transaction {
                    for row in rows {
                        try target.query("INSERT INTO \(table) (\(list)) VALUES (\(placeholders))", columns.map { row[$0] ?? .null })
                    }
                    try target.query("""
                        INSERT INTO catalog_migration (table_name, rows_copied) VALUES ($1, $2)
                        ON CONFLICT (table_name) DO UPDATE SET rows_copied = excluded.rows_copied
                        """, [.text(table), .integer(done + Int64(rows.count))])
                }
                done += Int64(rows.count)
                batches += 1
                copied[table, default: 0] += rows.count
                progress("\(table): \(copied[table]!) row(s) copied")
            }
            if let column = Self.identities[table] {
                try target.query("SELECT setval(pg_get_serial_sequence($1, $2), GREATEST((SELECT MAX(\(column)) FROM \(table)), 1))",
                                 [.text(table), .text(column)])
            }
        }
        return try verify(copiedNow: copied)
    }

    /// A target with rows but no record of this copy is another studio's catalog: never mixed.
    private func refuseNonEmptyTarget() throws {
        let started = try target.query("SELECT COUNT(*) AS n FROM catalog_migration").first?["n"]?.int ?? 0
        guard started == 0 else { return }
        for table in Self.tables where try target.query("SELECT EXISTS (SELECT 1 FROM \(table)) AS e").first?["e"]?.int == 1 {
            throw MigrationError.targetNotEmpty(table: table)
        }
    }

    /// Row counts and checksums of both sides, table by table; throws on the first difference.
    package func verify(copiedNow: [String: Int] = [:]) throws -> [TableReport] {
        var reports: [TableReport] = []
        for table in Self.tables where try sourceHas(table) {
            let columns = try sourceColumns(table)
            let list = columns.joined(separator: ", ")
            let from = try Self.checksum(source.query("SELECT \(list) FROM \(table)"), columns: columns)
            let to = try Self.checksum(target.query("SELECT \(list) FROM \(table)"), columns: columns)
            guard from.rows == to.rows else { throw MigrationError.countDiffers(table: table, source: from.rows, target: to.rows) }
            guard from.digest == to.digest else { throw MigrationError.checksumDiffers(table: table) }
            reports.append(TableReport(table: table, rows: from.rows, copiedNow: copiedNow[table] ?? 0, checksum: from.digest))
        }
        try target.query("UPDATE catalog_migration SET finished_at = $1", [.integer(Int64(Date().timeIntervalSince1970 * 1000))])
        return reports
    }

    /// One row's values in canonical form (type tag and value), so SQLite's and PostgreSQL's
    /// answers compare equal exactly when the values are equal.
    package static func canonical(_ row: SQLiteDatabase.Row, columns: [String]) -> String {
        columns.map { c -> String in
            switch row[c] ?? .null {
            case .null: return "n"
            case .integer(let v): return "i\(v)"
            case .real(let v): return "r\(v.bitPattern)"
            case .text(let v): return "t\(v.utf8.count):\(v)"
            case .blob(let v): return "b" + v.map { String(format: "%02x", $0) }.joined()
            }
        }.joined(separator: "|")
    }

    static func checksum(_ rows: [SQLiteDatabase.Row], columns: [String]) -> (rows: Int, digest: String) {
        let digests = rows.map { SHA256Digest.of(utf8: canonical($0, columns: columns)).hex }.sorted()
        return (rows.count, SHA256Digest.of(utf8: digests.joined(separator: "\n")).hex)
    }

    private func sourceHas(_ table: String) throws -> Bool {
        !(try source.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(table)])).isEmpty
    }

    /// The order rows were written in (rowid), or the primary key of a table without rowid.
    private func sourceOrder(_ table: String) throws -> String {
        let sql = try source.query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(table)]).first?["sql"]?.string ?? ""
        guard sql.uppercased().contains("WITHOUT ROWID") else { return "rowid" }
        return try source.query("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", [.text(table)])
            .compactMap { $0["name"]?.string }.joined(separator: ", ")
    }

    private func sourceColumns(_ table: String) throws -> [String] {
        try source.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", [.text(table)]).compactMap { $0["name"]?.string }
    }
}

package enum MigrationError: Error, CustomStringConvertible, Equatable {
    case targetNotEmpty(table: String)
    case interrupted(table: String)
    case countDiffers(table: String, source: Int, target: Int)
    case checksumDiffers(table: String)

    package var description: String {
        switch self {
        case .targetNotEmpty(let t):
            return "the PostgreSQL catalog already has rows (in \(t)) and no record of a copy from SQLite: migrate into an empty database"
        case .interrupted(let t): return "the copy stopped in \(t); run `imagegen catalog migrate` again to resume"
        case let .countDiffers(t, s, d): return "\(t): \(s) row(s) in SQLite, \(d) in PostgreSQL; the copy is not complete"
        case .checksumDiffers(let t): return "\(t): the rows differ between SQLite and PostgreSQL (checksums do not match)"
        }
    }
}
