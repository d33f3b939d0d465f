/// The upload queue's table in the catalog (module `uploads`), versioned on its own.
/// Append migrations; never edit a shipped one.
///
/// One row per file (`file_path` is unique, relative to the data folder): an image, its sidecar, a
/// derivative. `revision` grows each time the file is queued again, so a worker that finishes an
/// upload of an older revision does not mark a newer one uploaded. `lease_until` bounds how long a
/// row may stay `uploading` when the process that claimed it died without a clean stop.
enum UploadQueueSchema {
    static let schema = CatalogModuleSchema(module: "uploads", migrations: [
        """
        CREATE TABLE uploads (
            id INTEGER PRIMARY KEY,
            file_path TEXT NOT NULL UNIQUE,
            image_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('image','sidecar','derivative')),
            state TEXT NOT NULL CHECK (state IN ('pending','uploading','uploaded','failed')),
            revision INTEGER NOT NULL DEFAULT 1,
            attempts INTEGER NOT NULL DEFAULT 0,
            enqueued_at INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            lease_until INTEGER,
            updated_at INTEGER NOT NULL,
            uploaded_at INTEGER,
            object_key TEXT,
            object_url TEXT,
            etag TEXT,
            bytes INTEGER,
            sha256 TEXT,
            last_error TEXT,
            last_error_at INTEGER
        ) STRICT;
        CREATE INDEX uploads_due ON uploads (state, next_attempt_at);
        CREATE INDEX uploads_image ON uploads (image_id);
        """,
    ])
}
