/// How a restore checks and opens a catalog file it unpacked from a backup, without knowing which
/// database engine wrote it.
public protocol CatalogFileFormat: Sendable {
    /// Throws `CatalogSnapshotError` when the file at `path` is damaged, else the engine's error
    /// when it cannot be opened at all.
    func checkIntegrity(ofFileAt path: String) throws
    /// Opens the catalog file at `path` for what a restore reads back from it.
    func open(path: String) throws -> any CatalogStore & ImageFileStore & UploadQueueStore & TakedownStore
}
