import Foundation

/// Persistence for the upload queue: which files still have to reach cloud storage, which are
/// there (object key, URL, checksum) and which failed and why. The catalog implements it, so the
/// queue survives a killed host exactly like the job queue does.
///
/// Rows are keyed by file path, which makes queueing idempotent; `UploadItem.id` is the store's own
/// key for a row and `revision` grows each time the file is queued again, so finishing an upload
/// of an older revision never marks a newer one uploaded. Every method is one committed
/// transaction, durable when it returns.
public protocol UploadQueueStore: Sendable {
    /// Creates or upgrades the queue's storage. Idempotent; call before any other method.
    func prepareUploadQueue() throws

    /// Queues `files` (all or none): a new file as pending; a file queued before becomes pending
    /// again under a new revision (an upload in flight stays `uploading` and is redone after).
    func enqueueUploads(_ files: [UploadFile], now: Date) throws
    /// Queues the files that have no row yet (all or none), leaving existing rows untouched.
    func enqueueUploadsIfAbsent(_ files: [UploadFile], now: Date) throws
    /// Catalog images without a queue row, oldest first.
    func imagesWithoutUpload() throws -> [UnqueuedImage]

    /// Marks up to `limit` due pending rows `uploading` until `leaseUntil` and returns them; two
    /// workers never claim the same row.
    func claimDueUploads(limit: Int, now: Date, leaseUntil: Date) throws -> [UploadItem]
    /// Claims exactly these rows if they are pending or failed.
    func claimUploads(ids: [Int64], now: Date, leaseUntil: Date) throws -> [UploadItem]
    /// Ids of waiting rows (pending, and failed with `includeFailed`), oldest first.
    func waitingUploadIDs(includeFailed: Bool) throws -> [Int64]

    /// Records a finished upload of `item`'s revision. Returns false when the file was queued again
    /// meanwhile: the row then goes back to pending instead.
    func markUploaded(_ item: UploadItem, key: String, url: URL, etag: String?, bytes: Int64, sha256: String,
                      now: Date) throws -> Bool
    /// A failed attempt: back to pending until `retryAt`, or `failed` when `retryAt` is nil.
    func markUploadFailedAttempt(_ item: UploadItem, error: String, retryAt: Date?, now: Date) throws
    /// An attempt that did not run to an outcome: back to pending, no attempt counted.
    func releaseUpload(_ item: UploadItem, now: Date) throws
    /// Puts `uploading` rows back to pending: all with `all`, else those whose lease ran out. Returns how many.
    func resumeInterruptedUploads(all: Bool, now: Date) throws -> Int
    /// Sends an uploaded (or failed) row through the queue again, recording `reason`.
    func requeueUpload(id: Int64, reason: String, now: Date) throws

    /// Rows in `state` (all when nil), by id, at most `limit`, with their image's catalog fields.
    func uploadItems(state: UploadState?, limit: Int) throws -> [UploadItem]
    /// The rows of one image.
    func uploadItems(imageID: String) throws -> [UploadItem]
    /// These rows, soonest due first.
    func uploadItems(ids: [Int64]) throws -> [UploadItem]
    /// Counts by state, the oldest waiting row and the most recent error, as of `now`.
    func uploadSummary(now: Date) throws -> UploadQueueSummary
    /// Object key of every uploaded file, by file path; empty when the queue's storage was never
    /// created (a catalog from a host without cloud storage). Does not create it.
    func uploadedObjectKeys() throws -> [String: String]
}
