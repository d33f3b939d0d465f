/// The takedown tables (module `takedowns`), versioned on their own. Append migrations; never
/// edit a shipped one.
///
/// `image_fingerprints` holds each original's 64-bit dHash as 16 hex digits (`PerceptualHash`);
/// `tombstones` outlive the images they name (no foreign key to `images`, whose row may be
/// purged by retention) and are never deleted.
enum TakedownSchema {
    static let schema = CatalogModuleSchema(module: "takedowns", migrations: [
        """
        CREATE TABLE image_fingerprints (
            image_id TEXT PRIMARY KEY,
            dhash TEXT NOT NULL CHECK (length(dhash) = 16)
        ) STRICT;
        CREATE TABLE takedowns (
            id TEXT PRIMARY KEY,
            target_kind TEXT NOT NULL CHECK (target_kind IN ('image','sha256','like')),
            target TEXT NOT NULL,
            reason TEXT NOT NULL,
            requested_by TEXT NOT NULL,
            requested_at INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            committed_at INTEGER,
            completed_at INTEGER,
            images TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(images)),
            cleanup TEXT NOT NULL DEFAULT '{"files":[],"object_keys":[]}' CHECK (json_valid(cleanup)),
            last_error TEXT
        ) STRICT;
        CREATE TABLE tombstones (
            image_id TEXT PRIMARY KEY,
            takedown_id TEXT NOT NULL REFERENCES takedowns(id),
            content_sha256 TEXT NOT NULL,
            dhash TEXT,
            template TEXT,
            seed INTEGER,
            created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX tombstones_template ON tombstones (template, seed) WHERE template IS NOT NULL;
        CREATE INDEX images_content_sha256 ON images (content_sha256);
        """,
    ])
}
