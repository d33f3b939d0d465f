/// The post-processing runs in the catalog: one row per run of one image, so the backlog is a
/// query (stored originals without a finished run) and a crash loses nothing.
///
/// A run is `running` from the moment its number is taken until its derivative rows commit with
/// it as `done` in one transaction, or it is marked `failed` with the reason. A `running` row
/// whose process (`owner_pid`) is gone, or that is older than `PostProcessingStore.staleAfter`,
/// was left by a killed process and is abandoned.
enum PostProcessingSchema {
    static let schema = CatalogModuleSchema(module: "post_processing", migrations: [
        """
        CREATE TABLE post_processing_runs (
            image_id TEXT NOT NULL,
            run INTEGER NOT NULL,
            profile TEXT NOT NULL,
            trigger TEXT NOT NULL CHECK (trigger IN ('automatic','manual','maintenance')),
            state TEXT NOT NULL CHECK (state IN ('running','done','failed')),
            derivatives INTEGER NOT NULL DEFAULT 0,
            enhancement TEXT CHECK (enhancement IS NULL OR json_valid(enhancement)),
            error TEXT,
            owner_pid INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            finished_at INTEGER,
            PRIMARY KEY (image_id, run)
        ) STRICT;
        CREATE INDEX post_processing_state ON post_processing_runs (state, started_at);
        """,
    ])
}
