import Foundation
import Catalog

/// The embedded catalog's file: a restore proves SQLite accepts it before moving it into place,
/// then opens it to read back which images to fetch.
public struct SQLiteCatalogFileFormat: CatalogFileFormat {
    public init() {}

    public func checkIntegrity(ofFileAt path: String) throws {
        let database = try SQLiteDatabase(path: path)
        let check = try database.query("PRAGMA integrity_check").first?.values.first?.string
        guard check == "ok" else { throw CatalogSnapshotError.failsIntegrityCheck(detail: check ?? "?") }
    }

    public func open(path: String) throws -> any CatalogStore & ImageFileStore & UploadQueueStore & TakedownStore {
        try SQLiteCatalog(path: path)
    }
}
