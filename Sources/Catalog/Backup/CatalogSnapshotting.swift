/// A catalog that can copy itself, whole and consistent, while other connections keep writing:
/// what a backup stores instead of copying live files. The embedded catalog writes one
/// self-contained file; a server catalog would write its own dump format.
public protocol CatalogSnapshotting: Sendable {
    /// Writes a consistent copy of the whole catalog to `path` (a new file), checks it and
    /// returns what it holds. Throws `CatalogSnapshotError` when the copy fails its integrity check,
    /// else the engine's error.
    func snapshot(to path: String) throws -> CatalogSnapshot
}
