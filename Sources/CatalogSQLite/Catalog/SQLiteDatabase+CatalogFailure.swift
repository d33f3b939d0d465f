import Catalog

/// SQLite's failures answer the port's "busy" question (SQLITE_BUSY / SQLITE_LOCKED), so
/// callers retry without naming SQLite.
extension SQLiteDatabase.Failure: CatalogFailure {}
