import Catalog
import ImagegenCore

/// A PostgreSQL error with its SQLSTATE, so callers tell a retryable conflict or an unreachable
/// server from a bug without parsing messages.
package struct PostgresFailure: Error, CustomStringConvertible, Sendable {
    package var sqlState: String
    package var message: String
    package var description: String { message }

    /// Worth retrying shortly: a serialization failure or deadlock (class 40), a lock not
    /// available (55P03), or the server unreachable or restarting (class 08, 57P0x).
    package var isBusy: Bool {
        sqlState.hasPrefix("40") || sqlState == "55P03" || sqlState.hasPrefix("08") || sqlState.hasPrefix("57P0")
    }

    package var isUniqueViolation: Bool { sqlState == "23505" }
}

extension PostgresFailure: CatalogFailure {}

/// Busy or unreachable is 503 `catalog_busy` (retry); anything else is the host's 500.
extension PostgresFailure: MeaningfulError {
    package var meaning: ErrorMeaning { isBusy ? .unavailable : .internal }
    package var errorCode: String { isBusy ? "catalog_busy" : "internal" }
    package var callerMessage: String {
        isBusy ? "the catalog is busy or unreachable; retry shortly" : "the server failed: \(description)"
    }
}
