import Foundation
import Catalog

/// `imagegen backup` copies a catalog into one self-contained file; a PostgreSQL catalog is
/// backed up by the database's own tools instead (pg_dump, base backups with WAL archiving),
/// which see every host's writes consistently. Refused with what to do (docs/scale-out.md).
extension PostgresCatalog: CatalogSnapshotting {
    package func snapshot(to path: String) throws -> CatalogSnapshot {
        throw PostgresFailure(sqlState: "0A000", message: "the catalog is on PostgreSQL (\(url)): back it up with "
                              + "`pg_dump --format=custom` or the server's base backups (docs/scale-out.md); imagegen backup "
                              + "copies SQLite catalogs only")
    }
}
