import ImagegenCore

/// A busy catalog (another process holds the write lock past the timeout) is worth retrying
/// (503 `catalog_busy`); any other SQLite failure is the host's (500 `internal`). SQLite's own
/// message is not a caller's sentence, so `callerMessage` says what to do.
extension SQLiteDatabase.Failure: MeaningfulError {
    package var meaning: ErrorMeaning { isBusy ? .unavailable : .internal }

    package var errorCode: String { isBusy ? "catalog_busy" : "internal" }

    package var callerMessage: String {
        isBusy ? "the catalog is busy (another process holds its write lock); retry shortly" : "the server failed: \(description)"
    }
}
