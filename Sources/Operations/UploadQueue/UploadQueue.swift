import Foundation
import Synchronization
import CatalogSQLite
import ImagegenCore
import Pipeline

/// The upload queue in the catalog: which files still have to reach cloud storage, which are there
/// (with their object URL and checksum), and which failed and why.
///
/// Like the job queue, every change is one committed statement, so a killed host resumes where it
/// stopped. Rows are keyed by file path, which makes queueing idempotent: a resumed job that
/// rewrites the same image queues nothing new, and `reconcile` can safely re-scan the images table
/// for files that were stored while the process died between the image row and its queue rows.
public final class UploadQueue: Sendable {
    public let catalog: SQLiteCatalog
    var db: SQLiteDatabase { catalog.database }
    private let enqueueListeners = Mutex<[@Sendable () -> Void]>([])

    /// Brings the `uploads` tables up to date.
    public init(catalog: SQLiteCatalog) throws {
        self.catalog = catalog
        try catalog.migrate(UploadQueueSchema.schema)
    }

    // MARK: - Queueing

    /// Queues the image file of `record` and, with `sidecar`, its sidecar JSON when that file exists.
    /// Queueing a file again (it was rewritten) makes it pending again under a new revision.
    public func enqueue(_ record: ImageRecord, dataDirectory: String, sidecar: Bool, now: Date) throws {
        let kind: UploadKind = record.variant == "original" ? .image : .derivative
        try db.transaction {
            try upsert(filePath: record.filePath, imageID: record.imageID, kind: kind, now: now)
            if sidecar {
                let sidecarPath = Self.sidecarPath(for: record.filePath)
                if FileManager.default.fileExists(atPath: dataDirectory + "/" + sidecarPath) {
                    try upsert(filePath: sidecarPath, imageID: record.imageID, kind: .sidecar, now: now)
                }
            }
        }
    }

    func upsert(filePath: String, imageID: String, kind: UploadKind, now: Date) throws {
        let t = Self.ms(now)
        try db.query("""
            INSERT INTO uploads (file_path, image_id, kind, state, enqueued_at, next_attempt_at, updated_at)
            VALUES (?1, ?2, ?3, 'pending', ?4, ?4, ?4)
            ON CONFLICT (file_path) DO UPDATE SET
                revision = revision + 1,
                state = CASE WHEN state = 'uploading' THEN 'uploading' ELSE 'pending' END,
                enqueued_at = CASE WHEN state IN ('uploaded', 'failed') THEN ?4 ELSE enqueued_at END,
                attempts = 0, next_attempt_at = ?4, last_error = NULL, last_error_at = NULL, updated_at = ?4
            """, [.text(filePath), .text(imageID), .text(kind.rawValue), .integer(t)])
    }

    /// Queues every catalog image that has no queue row yet (and its sidecar). Returns how many
    /// images were queued. Run at worker start and by `storage sync`: it repairs a crash between
    /// storing an image and queueing it, and uploads the backlog when storage is configured later.
    @discardableResult
    public func reconcile(dataDirectory: String, sidecars: Bool, now: Date) throws -> Int {
        let missing = try db.query("""
            SELECT id, file_path, variant FROM images i
            WHERE NOT EXISTS (SELECT 1 FROM uploads u WHERE u.file_path = i.file_path)
            ORDER BY generated_at, id
            """)
        guard !missing.isEmpty else { return 0 }
        try db.transaction {
            for row in missing {
                guard let id = row["id"]?.string, let path = row["file_path"]?.string else { continue }
                let kind: UploadKind = (row["variant"]?.string ?? "original") == "original" ? .image : .derivative
                try insertIfAbsent(filePath: path, imageID: id, kind: kind, now: now)
                let sidecarPath = Self.sidecarPath(for: path)
                if sidecars, FileManager.default.fileExists(atPath: dataDirectory + "/" + sidecarPath) {
                    try insertIfAbsent(filePath: sidecarPath, imageID: id, kind: .sidecar, now: now)
                }
            }
        }
        return missing.count
    }

    func insertIfAbsent(filePath: String, imageID: String, kind: UploadKind, now: Date) throws {
        let t = Self.ms(now)
        try db.query("""
            INSERT INTO uploads (file_path, image_id, kind, state, enqueued_at, next_attempt_at, updated_at)
            VALUES (?1, ?2, ?3, 'pending', ?4, ?4, ?4) ON CONFLICT (file_path) DO NOTHING
            """, [.text(filePath), .text(imageID), .text(kind.rawValue), .integer(t)])
    }

    /// The hook the storing path calls (see `ImageStoredHooks`): queue the new file. A failure is
    /// logged, not thrown — the job that made the image has succeeded, and `reconcile` queues the
    /// file at the next worker start.
    public func observer(sidecars: Bool, log: Log, clock: @escaping @Sendable () -> Date = { Date() }) -> ImageStoredHooks.Observer {
        { [self] event in
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

    /// Marks up to `limit` due pending rows `uploading` and returns them (one statement, so two
    /// workers never claim the same row).
    public func claimDue(limit: Int, now: Date, lease: TimeInterval) throws -> [UploadItem] {
        guard limit > 0 else { return [] }
        let ids = try db.query("""
            UPDATE uploads SET state = 'uploading', lease_until = ?1, updated_at = ?2
            WHERE id IN (SELECT id FROM uploads WHERE state = 'pending' AND next_attempt_at <= ?2
                         ORDER BY next_attempt_at, id LIMIT ?3)
            RETURNING id
            """, [.integer(Self.ms(now.addingTimeInterval(lease))), .integer(Self.ms(now)), .integer(Int64(limit))])
            .compactMap { $0["id"]?.int }
        return try items(ids: ids)
    }

    /// Claims exactly these rows if they are pending or failed (what `storage sync` works through).
    public func claim(ids: [Int64], now: Date, lease: TimeInterval) throws -> [UploadItem] {
        guard !ids.isEmpty else { return [] }
        let claimed = try db.query("""
            UPDATE uploads SET state = 'uploading', lease_until = ?1, updated_at = ?2
            WHERE id IN (SELECT value FROM json_each(?3)) AND state IN ('pending', 'failed')
            RETURNING id
            """, [.integer(Self.ms(now.addingTimeInterval(lease))), .integer(Self.ms(now)),
                  .text("[" + ids.map(String.init).joined(separator: ",") + "]")])
            .compactMap { $0["id"]?.int }
        return try items(ids: claimed)
    }

    /// Ids of rows waiting (pending, and failed with `includeFailed`), oldest first.
    public func waitingIDs(includeFailed: Bool) throws -> [Int64] {
        try db.query("""
            SELECT id FROM uploads WHERE state = 'pending' OR (?1 = 1 AND state = 'failed') ORDER BY enqueued_at, id
            """, [.integer(includeFailed ? 1 : 0)]).compactMap { $0["id"]?.int }
    }

    /// Records a finished upload. Returns false when the file was queued again meanwhile (a newer
    /// revision): the row then goes back to pending and is uploaded again (or skipped as identical).
    @discardableResult
    public func markUploaded(_ item: UploadItem, key: String, url: URL, etag: String?, bytes: Int64, sha256: String,
                             now: Date) throws -> Bool {
        let t = Self.ms(now)
        return try db.transaction {
            try db.query("""
                UPDATE uploads SET state = 'uploaded', uploaded_at = ?1, updated_at = ?1, lease_until = NULL, object_key = ?2,
                    object_url = ?3, etag = ?4, bytes = ?5, sha256 = ?6, last_error = NULL, last_error_at = NULL
                WHERE id = ?7 AND revision = ?8 AND state = 'uploading'
                """, [.integer(t), .text(key), .text(url.absoluteString), etag.map { .text($0) } ?? .null, .integer(bytes),
                      .text(sha256), .integer(item.id), .integer(item.revision)])
            if db.changes == 1 { return true }
            try db.query("""
                UPDATE uploads SET state = 'pending', lease_until = NULL, next_attempt_at = ?1, updated_at = ?1
                WHERE id = ?2 AND state = 'uploading'
                """, [.integer(t), .integer(item.id)])
            return false
        }
    }

    /// Records a failed attempt: back to pending until `retryAt`, or `failed` when `retryAt` is nil.
    public func markFailedAttempt(_ item: UploadItem, error: String, retryAt: Date?, now: Date) throws {
        let t = Self.ms(now)
        try db.query("""
            UPDATE uploads SET state = ?1, attempts = attempts + 1, next_attempt_at = ?2, lease_until = NULL,
                last_error = ?3, last_error_at = ?4, updated_at = ?4
            WHERE id = ?5 AND state = 'uploading'
            """, [.text(retryAt == nil ? UploadState.failed.rawValue : UploadState.pending.rawValue),
                  .integer(Self.ms(retryAt ?? now)), .text(error), .integer(t), .integer(item.id)])
    }

    /// An attempt that did not run to an outcome (the worker is stopping): back to pending, no attempt counted.
    public func release(_ item: UploadItem, now: Date) throws {
        try db.query("""
            UPDATE uploads SET state = 'pending', lease_until = NULL, updated_at = ?1 WHERE id = ?2 AND state = 'uploading'
            """, [.integer(Self.ms(now)), .integer(item.id)])
    }

    /// Puts interrupted uploads back to pending: all of them when this process is the only uploader
    /// (`all`), else only those whose lease has run out. Returns how many.
    @discardableResult
    public func resumeInterrupted(all: Bool, now: Date) throws -> Int {
        try db.query("""
            UPDATE uploads SET state = 'pending', lease_until = NULL, updated_at = ?2
            WHERE state = 'uploading' AND (?1 = 1 OR lease_until IS NULL OR lease_until < ?2)
            """, [.integer(all ? 1 : 0), .integer(Self.ms(now))])
        return db.changes
    }

    /// Sends an uploaded file through the queue again (e.g. `storage verify --repair` found it missing).
    public func requeue(id: Int64, reason: String, now: Date) throws {
        let t = Self.ms(now)
        try db.query("""
            UPDATE uploads SET state = 'pending', revision = revision + 1, attempts = 0, next_attempt_at = ?1,
                enqueued_at = ?1, updated_at = ?1, last_error = ?2, last_error_at = ?1
            WHERE id = ?3 AND state IN ('uploaded', 'failed')
            """, [.integer(t), .text(reason), .integer(id)])
    }

    // MARK: - Reads

    public func item(id: Int64) throws -> UploadItem? { try items(ids: [id]).first }

    public func items(state: UploadState?, limit: Int = 1000) throws -> [UploadItem] {
        try db.query("""
            SELECT u.*, i.category, i.model, i.variant, i.cost_usd, i.generated_at FROM uploads u
            LEFT JOIN images i ON i.id = u.image_id
            WHERE ?1 IS NULL OR u.state = ?1 ORDER BY u.id LIMIT ?2
            """, [state.map { .text($0.rawValue) } ?? .null, .integer(Int64(limit))]).map(Self.item(from:))
    }

    /// Rows for one image (its file, sidecar and derivatives' rows are keyed by their own image ids).
    public func items(imageID: String) throws -> [UploadItem] {
        try db.query("""
            SELECT u.*, i.category, i.model, i.variant, i.cost_usd, i.generated_at FROM uploads u
            LEFT JOIN images i ON i.id = u.image_id WHERE u.image_id = ? ORDER BY u.id
            """, [.text(imageID)]).map(Self.item(from:))
    }

    func items(ids: [Int64]) throws -> [UploadItem] {
        guard !ids.isEmpty else { return [] }
        return try db.query("""
            SELECT u.*, i.category, i.model, i.variant, i.cost_usd, i.generated_at FROM uploads u
            LEFT JOIN images i ON i.id = u.image_id
            WHERE u.id IN (SELECT value FROM json_each(?)) ORDER BY u.next_attempt_at, u.id
            """, [.text("[" + ids.map(String.init).joined(separator: ",") + "]")]).map(Self.item(from:))
    }

    /// Counts by state, the oldest waiting row, and the most recent error.
    public func summary(now: Date) throws -> UploadQueueSummary {
        var counts: [UploadState: Int] = [:]
        var uploadedBytes: Int64 = 0
        for row in try db.query("SELECT state, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM uploads GROUP BY state") {
            guard let state = row["state"]?.string.flatMap(UploadState.init(rawValue:)) else { continue }
            counts[state] = Int(row["n"]?.int ?? 0)
            if state == .uploaded { uploadedBytes = row["b"]?.int ?? 0 }
        }
        let oldest = try db.query("SELECT MIN(enqueued_at) AS t FROM uploads WHERE state IN ('pending', 'uploading')")
            .first?["t"]?.int.map(Self.date)
        let lastError = try db.query("""
            SELECT file_path, last_error, last_error_at, attempts, state FROM uploads WHERE last_error IS NOT NULL
            ORDER BY last_error_at DESC, id DESC LIMIT 1
            """).first.map { row in
            UploadQueueSummary.LastError(filePath: row["file_path"]?.string ?? "", message: row["last_error"]?.string ?? "",
                                         at: Self.date(row["last_error_at"]?.int ?? 0), attempts: Int(row["attempts"]?.int ?? 0),
                                         state: UploadState(rawValue: row["state"]?.string ?? "") ?? .pending)
        }
        return UploadQueueSummary(counts: counts, uploadedBytes: uploadedBytes, oldestWaitingSince: oldest,
                                  lastError: lastError, at: now)
    }

    // MARK: - Mapping

    /// `content/a/2026/01/img.png` → `content/a/2026/01/img.json` (as `ContentStore` names sidecars).
    static func sidecarPath(for filePath: String) -> String {
        (filePath as NSString).deletingPathExtension + ".json"
    }

    static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    static func item(from r: SQLiteDatabase.Row) -> UploadItem {
        var image: UploadItem.ImageFields?
        if let category = r["category"]?.string, let model = r["model"]?.string {
            image = .init(category: category, model: model, variant: r["variant"]?.string ?? "original",
                          costUSD: r["cost_usd"]?.double, generatedAt: date(r["generated_at"]?.int ?? 0))
        }
        return UploadItem(
            id: r["id"]?.int ?? 0, filePath: r["file_path"]?.string ?? "", imageID: r["image_id"]?.string ?? "",
            kind: UploadKind(rawValue: r["kind"]?.string ?? "") ?? .image,
            state: UploadState(rawValue: r["state"]?.string ?? "") ?? .pending, revision: r["revision"]?.int ?? 1,
            attempts: Int(r["attempts"]?.int ?? 0), enqueuedAt: date(r["enqueued_at"]?.int ?? 0),
            nextAttemptAt: date(r["next_attempt_at"]?.int ?? 0), uploadedAt: r["uploaded_at"]?.int.map(date),
            objectKey: r["object_key"]?.string, objectURL: r["object_url"]?.string, etag: r["etag"]?.string,
            bytes: r["bytes"]?.int, sha256: r["sha256"]?.string, lastError: r["last_error"]?.string, image: image)
    }
}
