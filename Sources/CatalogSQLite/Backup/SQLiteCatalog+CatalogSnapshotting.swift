import Foundation
import Catalog

/// The catalog's snapshot is SQLite's online backup: a consistent copy even while another
/// connection writes. The copy is then switched out of WAL mode so it is one self-contained file,
/// checked, counted, and its image rows read back (from the copy, so they match it exactly).
extension SQLiteCatalog: CatalogSnapshotting {
    public func snapshot(to path: String) throws -> CatalogSnapshot {
        try backup(to: path)
        let snapshot = try SQLiteDatabase(path: path)
        try snapshot.execute("PRAGMA journal_mode=DELETE")
        let check = try snapshot.query("PRAGMA integrity_check").first?.values.first?.string
        guard check == "ok" else { throw CatalogSnapshotError.failsIntegrityCheck(detail: check ?? "?") }
        func count(_ table: String) throws -> Int {
            Int(try snapshot.query("SELECT COUNT(*) AS n FROM \(table)").first?["n"]?.int ?? 0)
        }
        var modules: [String: Int] = [:]
        // Opening a catalog migrates it, so module_schema is always there: a failed read is a
        // broken snapshot, not an absent list.
        for row in try snapshot.query("SELECT module, version FROM module_schema") {
            if let module = row["module"]?.string { modules[module] = Int(row["version"]?.int ?? 0) }
        }
        return CatalogSnapshot(
            schemaVersion: Int(try snapshot.query("PRAGMA user_version").first?["user_version"]?.int ?? 0),
            modules: modules, jobs: try count("jobs"), images: try count("images"), ledger: try count("ledger"),
            imageFiles: try SQLiteCatalog.imageFiles(in: snapshot))
    }
}
