import Foundation
import Catalog
import CatalogSQLite
import CatalogPostgres
import ImagegenCore
import Security

/// One table's outcome of `imagegen catalog migrate`.
public struct CatalogMigrationReport: Sendable, Encodable {
    public var table: String
    public var rows: Int
    public var copiedNow: Int
    public var sha256: String
    enum CodingKeys: String, CodingKey { case table, rows, sha256, copiedNow = "copied_now" }
}

extension HostComposition {
    /// Copies the data folder's SQLite catalog into the empty PostgreSQL catalog at `url`
    /// (resuming an interrupted copy), then checks every table's row count and checksum.
    /// The password comes from the secrets file or `PGPASSWORD`, as for serving.
    public static func migrateCatalog(paths: HostPaths, security: HostSecurity, to url: String, batch: Int,
                                      progress: @escaping (String) -> Void) throws -> [CatalogMigrationReport] {
        guard FileManager.default.fileExists(atPath: paths.catalog) else {
            throw CompositionError.catalog(path: paths.catalog, reason: "no SQLite catalog to copy")
        }
        let location: String
        do { location = try CatalogURL(url).text } catch {
            throw CompositionError.catalog(path: "--to", reason: error.description)
        }
        let stored = security.secretStore.value(named: passwordSecret).flatMap { $0.isEmpty ? nil : $0 }
        if let password = stored ?? ProcessInfo.processInfo.environment[passwordSecret], !password.isEmpty {
            security.redaction.learn(name: passwordSecret, value: password)
        }
        let source = try SQLiteCatalog(path: paths.catalog)
        let target = try PostgresCatalog(url: location, password: stored)
        return try CatalogMigration(source: source.database, target: target, batch: batch).run(progress: progress).map {
            CatalogMigrationReport(table: $0.table, rows: $0.rows, copiedNow: $0.copiedNow, sha256: $0.checksum)
        }
    }
}
