import Foundation
import Synchronization
import Catalog
import ImagegenCore
import Pipeline

/// The upload queue: which files still have to reach cloud storage, which are there (with their
/// object URL and checksum), and which failed and why. The rows live in an `UploadQueueStore`
/// (the catalog); this type adds what is not storage: sidecar files, hooks and lease arithmetic.
///
/// Like the job queue, every change is one committed transaction, so a killed host resumes where it
/// stopped. Rows are keyed by file path, which makes queueing idempotent: a resumed job that
/// rewrites the same image queues nothing new, and `reconcile` can safely re-scan the images
/// for files that were stored while the process died between the image row and its queue rows.
public final class UploadQueue: Sendable {
    public let store: any UploadQueueStore
    private let enqueueListeners = Mutex<[@Sendable () -> Void]>([])

    /// Brings the queue's storage up to date.
    public init(catalog store: any UploadQueueStore) throws {
        self.store = store
        try store.prepareUploadQueue()
    }

    // MARK: - Queueing

    /// Queues the image file of `record` and, with `sidecar`, its sidecar JSON when that file exists.
    /// Queueing a file again (it was rewritten) makes it pending again under a new revision.
    public func enqueue(_ record: ImageRecord, dataDirectory: String, sidecar: Bool, now: Date) throws {
        let kind: UploadKind = record.variant == "original" ? .image : .derivative
        var files = [UploadFile(filePath: record.filePath, imageID: record.imageID, kind: kind)]
        if sidecar {
            let sidecarPath = Self.sidecarPath(for: record.filePath)
            if FileManager.default.fileExists(atPath: dataDirectory + "/" + sidecarPath) {
                files.append(UploadFile(filePath: sidecarPath, imageID: record.imageID, kind: .sidecar))
            }
        }
        try store.enqueueUploads(files, now: now)
    }

    /// Queues every catalog image that has no queue row yet (and its sidecar). Returns how many
    /// images were queued. Run at worker start and by `storage sync`: it repairs a crash between
    /// storing an image and queueing it, and uploads the backlog when storage is configured later.
    @discardableResult
    public func reconcile(dataDirectory: String, sidecars: Bool, now: Date) throws -> Int {
        let missing = try store.imagesWithoutUpload()
        guard !missing.isEmpty else { return 0 }
        var files: [UploadFile] = []
        // Only files in this data folder: on a shared catalog another host's image without a row is
        // that host's to queue (this host would fail its upload for want of the file).
        for image in missing where FileManager.default.fileExists(atPath: dataDirectory + "/" + image.filePath) {
            files.append(UploadFile(filePath: image.filePath, imageID: image.imageID,
                                    kind: image.variant == "original" ? .image : .derivative))
            let sidecarPath = Self.sidecarPath(for: image.filePath)
            if sidecars, FileManager.default.fileExists(atPath: dataDirectory + "/" + sidecarPath) {
                files.append(UploadFile(filePath: sidecarPath, imageID: image.imageID, kind: .sidecar))
            }
        }
        guard !files.isEmpty else { return 0 }
        try store.enqueueUploadsIfAbsent(files, now: now)
        return files.filter { $0.kind != .sidecar }.count
    }

    /// The hook the storing path calls (see `ImageStoredHooks`): queue the new file. A failure is
    /// logged, not thrown — the job that made the image has succeeded, and `reconcile` queues the
    /// file at the next worker start.
    public func observer(sidecars: Bool, log: Log, clock: @escaping @Sendable () -> Date = { Date() }) -> ImageStoredHooks.Observer {
        { [self] event in
            // Only good images are published: a quarantined one stays local, for reviewers.
            guard event.record.status == ImageRecord.completed else { return }
            // A job resumed on another host than the one that stored its image (several hosts on
            // one catalog) finds the row committed and tells the hooks again, but the file is in
            // the first host's data folder: its upload row stays that host's to upload.
            guard FileManager.default.fileExists(atPath: event.dataDirectory + "/" + event.record.filePath) else {
                log.info("\(event.record.filePath) is not in this data folder (another host stored it); its upload stays with that host",
                         source: "uploads")
                return
            }
            do {
                try enqueue(event.record, dataDirectory: event.dataDirectory, sidecar: sidecars, now: clock())
                for listener in enqueueListeners.withLock({ $0 }) { listener() }
            } catch {
                log.warning("cannot queue \(event.record.filePath) for upload (it will be queued at the next start): \(error)",
                            source: "uploads")
            }
        }
    }

    /// Called after the storing hook queued a file (a worker wakes up instead of waiting for its poll).
    public func onEnqueue(_ listener: @escaping @Sendable () -> Void) {
        enqueueListeners.withLock { $0.append(listener) }
    }

    // MARK: - Claiming and results

    /// Marks up to `limit` due pending rows `uploading` and returns them (two workers never claim
    /// the same row).
    public func claimDue(limit: Int, now: Date, lease: TimeInterval) throws -> [UploadItem] {
        try store.claimDueUploads(limit: limit, now: now, leaseUntil: now.addingTimeInterval(lease))
    }

    /// Claims exactly these rows if they are pending or failed (what `storage sync` works through).
    public func claim(ids: [Int64], now: Date, lease: TimeInterval) throws -> [UploadItem] {
        try store.claimUploads(ids: ids, now: now, leaseUntil: now.addingTimeInterval(lease))
    }

    /// Ids of rows waiting (pending, and failed with `includeFailed`), oldest first.
    public func waitingIDs(includeFailed: Bool) throws -> [Int64] {
        try store.waitingUploadIDs(includeFailed: includeFailed)
    }

    /// Records a finished upload. Returns false when the file was queued again meanwhile (a newer
    /// revision): the row then goes back to pending and is uploaded again (or skipped as identical).
    @discardableResult
    public func markUploaded(_ item: UploadItem, key: String, url: URL, etag: String?, bytes: Int64, sha256: String,
                             now: Date) throws -> Bool {
        try store.markUploaded(item, key: key, url: url, etag: etag, bytes: bytes, sha256: sha256, now: now)
    }

    /// Records a failed attempt: back to pending until `retryAt`, or `failed` when `retryAt` is nil.
    public func markFailedAttempt(_ item: UploadItem, error: String, retryAt: Date?, now: Date) throws {
        try store.markUploadFailedAttempt(item, error: error, retryAt: retryAt, now: now)
    }

    /// An attempt that did not run to an outcome (the worker is stopping): back to pending, no attempt counted.
    public func release(_ item: UploadItem, now: Date) throws {
        try store.releaseUpload(item, now: now)
    }

    /// Puts interrupted uploads back to pending: all of them when this process is the only uploader
    /// (`all`), else only those whose lease has run out. Returns how many.
    @discardableResult
    public func resumeInterrupted(all: Bool, now: Date) throws -> Int {
        try store.resumeInterruptedUploads(all: all, now: now)
    }

    /// Sends an uploaded file through the queue again (e.g. `storage verify --repair` found it missing).
    public func requeue(id: Int64, reason: String, now: Date) throws {
        try store.requeueUpload(id: id, reason: reason, now: now)
    }

    // MARK: - Reads

    public func item(id: Int64) throws -> UploadItem? { try items(ids: [id]).first }

    public func items(state: UploadState?, limit: Int = 1000) throws -> [UploadItem] {
        try store.uploadItems(state: state, limit: limit)
    }

    /// Rows for one image (its file, sidecar and derivatives' rows are keyed by their own image ids).
    public func items(imageID: String) throws -> [UploadItem] {
        try store.uploadItems(imageID: imageID)
    }

    func items(ids: [Int64]) throws -> [UploadItem] {
        try store.uploadItems(ids: ids)
    }

    /// Counts by state, the oldest waiting row, and the most recent error.
    public func summary(now: Date) throws -> UploadQueueSummary {
        try store.uploadSummary(now: now)
    }

    // MARK: - Paths

    /// `content/a/2026/01/img.png` → `content/a/2026/01/img.json` (as `ContentStore` names sidecars).
    static func sidecarPath(for filePath: String) -> String {
        (filePath as NSString).deletingPathExtension + ".json"
    }
}
