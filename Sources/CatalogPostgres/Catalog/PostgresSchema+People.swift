import CatalogSQLite

/// The modules that landed on SQLite after the first PostgreSQL tables (review, people,
/// takedowns): the same tables and the same migration numbers as `ReviewSchema`, `PeopleSchema`
/// and `TakedownSchema`, in PostgreSQL's dialect. Append only.
extension PostgresSchema {
    package static let review = CatalogModuleSchema(module: "review", migrations: [
        """
        CREATE TABLE image_reviews (
            image_id TEXT PRIMARY KEY REFERENCES images(id),
            state TEXT NOT NULL CHECK (state IN ('approved','rejected')),
            reason TEXT,
            reviewer TEXT NOT NULL,
            reviewed_at BIGINT NOT NULL
        );
        CREATE INDEX image_reviews_state ON image_reviews (state);
        CREATE INDEX images_newest_originals ON images (generated_at DESC, id DESC) WHERE variant = 'original';
        """,
    ])

    package static let people = CatalogModuleSchema(module: "people", migrations: [
        """
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('viewer','reviewer','operator','admin')),
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            adult_verified INTEGER NOT NULL DEFAULT 0,
            adult_verified_by TEXT,
            adult_verified_at BIGINT,
            created_at BIGINT NOT NULL,
            password_changed_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_name TEXT NOT NULL REFERENCES users(name),
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            address TEXT NOT NULL
        );
        CREATE INDEX sessions_user ON sessions (user_name);
        CREATE INDEX sessions_expiry ON sessions (expires_at);
        """,
    ])

    package static let takedowns = CatalogModuleSchema(module: "takedowns", migrations: [
        """
        CREATE TABLE image_fingerprints (
            image_id TEXT PRIMARY KEY,
            dhash TEXT NOT NULL CHECK (length(dhash) = 16)
        );
        CREATE TABLE takedowns (
            id TEXT PRIMARY KEY,
            target_kind TEXT NOT NULL CHECK (target_kind IN ('image','sha256','like')),
            target TEXT NOT NULL,
            reason TEXT NOT NULL,
            requested_by TEXT NOT NULL,
            requested_at BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            committed_at BIGINT,
            completed_at BIGINT,
            images TEXT NOT NULL DEFAULT '[]' CHECK (images::jsonb IS NOT NULL),
            cleanup TEXT NOT NULL DEFAULT '{"files":[],"object_keys":[]}' CHECK (cleanup::jsonb IS NOT NULL),
            last_error TEXT
        );
        CREATE TABLE tombstones (
            image_id TEXT PRIMARY KEY,
            takedown_id TEXT NOT NULL REFERENCES takedowns(id),
            content_sha256 TEXT NOT NULL,
            dhash TEXT,
            template TEXT,
            seed BIGINT,
            created_at BIGINT NOT NULL
        );
        CREATE INDEX tombstones_template ON tombstones (template, seed) WHERE template IS NOT NULL;
        CREATE INDEX images_content_sha256 ON images (content_sha256);
        """,
    ])
}

extension PostgresSchema {
    /// The hosts serving this catalog (`HostRegistry`): one row per host name, its heartbeat in
    /// milliseconds on the database's clock. Only PostgreSQL has several hosts.
    package static let hosts = CatalogModuleSchema(module: "hosts", migrations: [
        """
        CREATE TABLE hosts (
            name TEXT PRIMARY KEY,
            pid BIGINT NOT NULL,
            version TEXT NOT NULL,
            started_at BIGINT NOT NULL,
            heartbeat_at BIGINT NOT NULL,
            runs_singletons INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX hosts_heartbeat ON hosts (heartbeat_at);
        """,
    ])
}
