import Catalog

/// One process per data folder (the runner lock) is the only host of a SQLite catalog.
extension SQLiteCatalog: SingletonLockOpening {
    public func openSingletonLock() throws -> any SingletonLock { SoleHostLock() }
}
