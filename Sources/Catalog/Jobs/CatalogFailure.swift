/// A failure of the catalog's storage that callers answer differently from a plain error:
/// "busy" means another writer holds the lock and a retry shortly will likely succeed (the API
/// answers 503 instead of 500). Each store's own error type conforms.
package protocol CatalogFailure: Error {
    /// Another writer holds the catalog's write lock; retry shortly.
    var isBusy: Bool { get }
}
