/// Why a catalog snapshot (or a restored catalog file) cannot be trusted.
package enum CatalogSnapshotError: Error, CustomStringConvertible {
    /// The copy exists but its database engine reports damage; `detail` is what the engine said.
    case failsIntegrityCheck(detail: String)

    package var description: String {
        switch self {
        case .failsIntegrityCheck(let detail): "fails the catalog's integrity check: \(detail)"
        }
    }
}
