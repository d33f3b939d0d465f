/// The catalog tables of review: one decision row per reviewed original (no row: pending), and
/// the index the newest-first gallery pages through (keyset pagination over originals).
enum ReviewSchema {
    static let schema = CatalogModuleSchema(module: "review", migrations: [
        """
        CREATE TABLE image_reviews (
            image_id TEXT PRIMARY KEY REFERENCES images(id),
            state TEXT NOT NULL CHECK (state IN ('approved','rejected')),
            reason TEXT,
            reviewer TEXT NOT NULL,
            reviewed_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX image_reviews_state ON image_reviews (state);
        CREATE INDEX images_newest_originals ON images (generated_at DESC, id DESC) WHERE variant = 'original';
        """,
    ])
}
