import Foundation
import Catalog

/// The upload queue on PostgreSQL. Claims take due rows with `FOR UPDATE SKIP LOCKED`, so the
/// upload workers of several hosts never claim the same file. Each row names the host whose data
/// folder holds the file (`origin`): only that host claims it, as another would find no file and
/// fail the upload for good.
extension PostgresCatalog: UploadQueueStore {
    package func prepareUploadQueue() throws {}

    package func enqueueUploads(_ files: [UploadFile], now: Date) throws {
        let t = ms(now)
        try db.transaction {
            for file in files {
                try db.query("""
                    INSERT INTO uploads AS u (file_path, image_id, kind, state, enqueued_at, next_attempt_at, updated_at, origin)
                    VALUES ($1, $2, $3, 'pending', $4, $4, $4, $5)
                    ON CONFLICT (file_path) DO UPDATE SET
                        revision = u.revision + 1, origin = $5,
                        state = CASE WHEN u.state = 'uploading' THEN 'uploading' ELSE 'pending' END,
                        enqueued_at = CASE WHEN u.state IN ('uploaded', 'failed') THEN $4 ELSE u.enqueued_at END,
                        attempts = 0, next_attempt_at = $4, last_error = NULL, last_error_at = NULL, updated_at = $4
                    """, [.text(file.filePath), .text(file.imageID), .text(file.kind.rawValue), .integer(t), .text(origin)])
            }
        }
    }

    /// The name upload rows carry for this host (see the type's comment).
    var origin: String { HostIdentity.current.machine }

    package func enqueueUploadsIfAbsent(_ files: [UploadFile], now: Date) throws {
        let t = ms(now)
        try db.transaction {
            for file in files {
                try db.query("""
                    INSERT INTO uploads (file_path, image_id, kind, state, enqueued_at, next_attempt_at, updated_at, origin)
                    VALUES ($1, $2, $3, 'pending', $4, $4, $4, $5) ON CONFLICT (file_path) DO NOTHING
                    """, [.text(file.filePath), .text(file.imageID), .text(file.kind.rawValue), .integer(t), .text(origin)])
            }
        }
    }

    package func imagesWithoutUpload() throws -> [UnqueuedImage] {
        try db.query("""
            SELECT id, file_path, variant FROM images i
            WHERE i.status = 'completed' AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.file_path = i.file_path)
            ORDER BY generated_at, id
            """).compactMap { row in
            guard let id = row["id"]?.string, let path = row["file_path"]?.string else { return nil }
            return UnqueuedImage(imageID: id, filePath: path, variant: row["variant"]?.string ?? "original")
        }
    }

    package func claimDueUploads(limit: Int, now: Date, leaseUntil: Date) throws -> [UploadItem] {
        guard limit > 0 else { return [] }
        let ids = try db.query("""
            UPDATE uploads SET state = 'uploading', lease_until = $1, updated_at = $2
            WHERE id IN (SELECT id FROM uploads WHERE state = 'pending' AND next_attempt_at <= $2
                           AND (origin IS NULL OR origin = $4)
                         ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING id
            """, [.integer(ms(leaseUntil)), .integer(ms(now)), .integer(Int64(limit)), .text(origin)]).compactMap { $0["id"]?.int }
        return try uploadItems(ids: ids)
    }

    package func claimUploads(ids: [Int64], now: Date, leaseUntil: Date) throws -> [UploadItem] {
        guard !ids.isEmpty else { return [] }
        let claimed = try db.query("""
            UPDATE uploads SET state = 'uploading', lease_until = $1, updated_at = $2
            WHERE id IN (SELECT jsonb_array_elements_text($3::jsonb)::bigint) AND state IN ('pending', 'failed')
            RETURNING id
            """, [.integer(ms(leaseUntil)), .integer(ms(now)), .text("[" + ids.map(String.init).joined(separator: ",") + "]")])
            .compactMap { $0["id"]?.int }
        return try uploadItems(ids: claimed)
    }

    package func waitingUploadIDs(includeFailed: Bool) throws -> [Int64] {
        try db.query("""
            SELECT id FROM uploads WHERE state = 'pending' OR ($1::bigint = 1 AND state = 'failed') ORDER BY enqueued_at, id
            """, [.integer(includeFailed ? 1 : 0)]).compactMap { $0["id"]?.int }
    }

    package func markUploaded(_ item: UploadItem, key: String, url: URL, etag: String?, bytes: Int64, sha256: String,
                              now: Date) throws -> Bool {
        let t = ms(now)
        return try db.transaction {
            let changed = try db.update("""
                UPDATE uploads SET state = 'uploaded', uploaded_at = $1, updated_at = $1, lease_until = NULL, object_key = $2,
                    object_url = $3, etag = $4, bytes = $5, sha256 = $6, last_error = NULL, last_error_at = NULL
                WHERE id = $7 AND revision = $8 AND state = 'uploading'
                """, [.integer(t), .text(key), .text(url.absoluteString), etag.map { .text($0) } ?? .null, .integer(bytes),
                      .text(sha256), .integer(item.id), .integer(item.revision)])
            if changed == 1 { return true }
            try db.query("""
                UPDATE uploads SET state = 'pending', lease_until = NULL, next_attempt_at = $1, updated_at = $1
                WHERE id = $2 AND state = 'uploading'
                """, [.integer(t), .integer(item.id)])
            return false
        }
    }

    package func markUploadFailedAttempt(_ item: UploadItem, error: String, retryAt: Date?, now: Date) throws {
        try db.query("""
            UPDATE uploads SET state = $1, attempts = attempts + 1, next_attempt_at = $2, lease_until = NULL,
                last_error = $3, last_error_at = $4, updated_at = $4
            WHERE id = $5 AND state = 'uploading'
            """, [.text(retryAt == nil ? UploadState.failed.rawValue : UploadState.pending.rawValue),
                  .integer(ms(retryAt ?? now)), .text(error), .integer(ms(now)), .integer(item.id)])
    }

    package func releaseUpload(_ item: UploadItem, now: Date) throws {
        try db.query("""
            UPDATE uploads SET state = 'pending', lease_until = NULL, updated_at = $1 WHERE id = $2 AND state = 'uploading'
            """, [.integer(ms(now)), .integer(item.id)])
    }

    /// With several hosts, `all` (a host's own clean start, holding its data folder's upload lock)
    /// takes back only the rows of this host's own files — a killed process left them `uploading`
    /// and nobody else may claim them — never rows another live host is uploading. Expired leases
    /// are resumed either way.
    package func resumeInterruptedUploads(all: Bool, now: Date) throws -> Int {
        try db.update("""
            UPDATE uploads SET state = 'pending', lease_until = NULL, updated_at = $1
            WHERE state = 'uploading' AND (lease_until IS NULL OR lease_until < $1 OR ($2 = 1 AND origin = $3))
            """, [.integer(ms(now)), .integer(all ? 1 : 0), .text(origin)])
    }

    package func requeueUpload(id: Int64, reason: String, now: Date) throws {
        try db.query("""
            UPDATE uploads SET state = 'pending', revision = revision + 1, attempts = 0, next_attempt_at = $1,
                enqueued_at = $1, updated_at = $1, last_error = $2, last_error_at = $1
            WHERE id = $3 AND state IN ('uploaded', 'failed')
            """, [.integer(ms(now)), .text(reason), .integer(id)])
    }

    private static let itemSelect = """
        SELECT u.*, i.category, i.model, i.variant, i.cost_usd, i.generated_at FROM uploads u
        LEFT JOIN images i ON i.id = u.image_id
        """

    package func uploadItems(state: UploadState?, limit: Int) throws -> [UploadItem] {
        try db.query(Self.itemSelect + " WHERE $1::text IS NULL OR u.state = $1 ORDER BY u.id LIMIT $2",
                     [state.map { .text($0.rawValue) } ?? .null, .integer(Int64(limit))]).map(Self.uploadItem(from:))
    }

    package func uploadItems(imageID: String) throws -> [UploadItem] {
        try db.query(Self.itemSelect + " WHERE u.image_id = $1 ORDER BY u.id", [.text(imageID)]).map(Self.uploadItem(from:))
    }

    package func uploadItems(ids: [Int64]) throws -> [UploadItem] {
        guard !ids.isEmpty else { return [] }
        return try db.query(Self.itemSelect + """
             WHERE u.id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint) ORDER BY u.next_attempt_at, u.id
            """, [.text("[" + ids.map(String.init).joined(separator: ",") + "]")]).map(Self.uploadItem(from:))
    }

    package func uploadSummary(now: Date) throws -> UploadQueueSummary {
        var counts: [UploadState: Int] = [:]
        var uploadedBytes: Int64 = 0
        for row in try db.query("SELECT state, COUNT(*) AS n, COALESCE(SUM(bytes), 0)::bigint AS b FROM uploads GROUP BY state") {
            guard let state = row["state"]?.string.flatMap(UploadState.init(rawValue:)) else { continue }
            counts[state] = Int(row["n"]?.int ?? 0)
            if state == .uploaded { uploadedBytes = row["b"]?.int ?? 0 }
        }
        let oldest = try db.query("SELECT MIN(enqueued_at) AS t FROM uploads WHERE state IN ('pending', 'uploading')")
            .first?["t"]?.int.map(Self.uploadDate)
        let lastError = try db.query("""
            SELECT file_path, last_error, last_error_at, attempts, state FROM uploads WHERE last_error IS NOT NULL
            ORDER BY last_error_at DESC, id DESC LIMIT 1
            """).first.map { row in
            UploadQueueSummary.LastError(filePath: row["file_path"]?.string ?? "", message: row["last_error"]?.string ?? "",
                                         at: Self.uploadDate(row["last_error_at"]?.int ?? 0), attempts: Int(row["attempts"]?.int ?? 0),
                                         state: UploadState(rawValue: row["state"]?.string ?? "") ?? .pending)
        }
        return UploadQueueSummary(counts: counts, uploadedBytes: uploadedBytes, oldestWaitingSince: oldest,
                                  lastError: lastError, at: now)
    }

    package func uploadedObjectKeys() throws -> [String: String] {
        var keys: [String: String] = [:]
        for row in try db.query("SELECT file_path, object_key FROM uploads WHERE state = 'uploaded' AND object_key IS NOT NULL") {
            if let path = row["file_path"]?.string, let key = row["object_key"]?.string { keys[path] = key }
        }
        return keys
    }

    static func uploadDate(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    static func uploadItem(from r: PostgresDatabase.Row) -> UploadItem {
        let date = uploadDate
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
