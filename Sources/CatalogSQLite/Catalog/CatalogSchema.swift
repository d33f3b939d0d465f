/// The catalog's schema, as numbered migrations. `PRAGMA user_version` records how many have
/// run; each runs in its own transaction, so a crash mid-upgrade leaves the previous version.
/// Never edit a shipped migration: append a new one.
enum CatalogSchema {
    static let migrations: [String] = [
        // 1: jobs, images, ledger.
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            batch_id TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued','submitting','submitted','running','succeeded','failed',
                                                 'cancelled','content_filtered')),
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            model TEXT NOT NULL,
            category TEXT NOT NULL,
            priority INTEGER NOT NULL DEFAULT 0,
            prompt TEXT NOT NULL,
            negative_prompt TEXT,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            steps INTEGER,
            guidance_scale REAL,
            seed INTEGER NOT NULL,
            outputs INTEGER NOT NULL DEFAULT 1,
            extra TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extra)),
            plugin_id TEXT,
            provider_model TEXT,
            plugin_generation INTEGER,
            job_ref TEXT CHECK (job_ref IS NULL OR json_valid(job_ref)),
            submit_count INTEGER NOT NULL DEFAULT 0,
            tried TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tried)),
            reserved_usd REAL,
            cost_usd REAL,
            cost_source TEXT,
            provider_time_s REAL,
            progress REAL,
            error_code TEXT,
            error_message TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            submitted_at INTEGER,
            finished_at INTEGER,
            deadline_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX jobs_queue ON jobs (state, priority DESC, created_at);
        CREATE INDEX jobs_batch ON jobs (batch_id);

        CREATE TABLE images (
            id TEXT PRIMARY KEY,
            job_id TEXT,
            output_index INTEGER,
            version INTEGER NOT NULL DEFAULT 1,
            parent_id TEXT REFERENCES images(id),
            variant TEXT NOT NULL DEFAULT 'original',
            status TEXT NOT NULL DEFAULT 'stored',
            category TEXT NOT NULL,
            model TEXT NOT NULL,
            plugin_id TEXT,
            provider_model TEXT,
            prompt TEXT NOT NULL,
            negative_prompt TEXT,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            steps INTEGER,
            guidance_scale REAL,
            seed INTEGER,
            tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
            file_path TEXT NOT NULL,
            mime TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            content_sha256 TEXT NOT NULL,
            generated_at INTEGER NOT NULL,
            processing_time_s REAL,
            cost_usd REAL,
            quality_score REAL,
            extra TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extra)),
            UNIQUE (job_id, output_index, variant)
        ) STRICT;
        CREATE INDEX images_category ON images (category, generated_at);
        CREATE INDEX images_model ON images (model, generated_at);

        CREATE TABLE ledger (
            id INTEGER PRIMARY KEY,
            job_id TEXT NOT NULL,
            image_id TEXT,
            at INTEGER NOT NULL,
            model TEXT NOT NULL,
            plugin_id TEXT,
            category TEXT NOT NULL,
            cost_usd REAL,
            source TEXT NOT NULL CHECK (source IN ('provider','rule','unknown')),
            UNIQUE (job_id, image_id)
        ) STRICT;
        CREATE INDEX ledger_at ON ledger (at);
        """,
        // 2: versions of other modules' tables (uploads, schedules, alerts, audit...), so each
        // module migrates its own tables without editing this list.
        """
        CREATE TABLE module_schema (module TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT;
        """,
        // 3: idempotency keys, so a caller that retries after a crash (a plan's slot, an API
        // client) gets the job it already queued instead of a second one.
        """
        ALTER TABLE jobs ADD COLUMN idempotency_key TEXT;
        CREATE UNIQUE INDEX jobs_idempotency ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
        """,
        // 4: the whole quality report beside the score (components, measurements, weights), and
        // the derivatives of an image found by their parent (`images show`, post-processing backlog).
        // Derivatives have no output_index: theirs is the parent's, and NULL keeps every
        // re-processing run clear of the (job_id, output_index, variant) uniqueness.
        """
        ALTER TABLE images ADD COLUMN quality TEXT CHECK (quality IS NULL OR json_valid(quality));
        CREATE INDEX images_parent ON images (parent_id) WHERE parent_id IS NOT NULL;
        """,
        // 5: a stored image's status is the product's `completed` (it read `stored` before).
        """
        UPDATE images SET status = 'completed' WHERE status = 'stored';
        """,
        // 6: the output nudity check's verdict beside each original (issue 17 item 6), and the
        // quarantined and rejected images the retention rules look for by age.
        """
        ALTER TABLE images ADD COLUMN output_check TEXT CHECK (output_check IS NULL OR json_valid(output_check));
        CREATE INDEX images_held_back ON images (status, generated_at) WHERE status IN ('quarantined', 'purged');
        """,
    ]
}

/// A module's own tables in the catalog, versioned independently of the core schema.
/// Declare the migrations once (append-only) and call `SQLiteCatalog.migrate(_:)` at start.
public struct CatalogModuleSchema: Sendable {
    public var module: String
    public var migrations: [String]
    public init(module: String, migrations: [String]) {
        self.module = module
        self.migrations = migrations
    }
}
