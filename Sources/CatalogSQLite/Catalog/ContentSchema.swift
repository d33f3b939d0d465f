/// The catalog tables of prompt management and content organisation: template versions,
/// ratings, reservations of images for posts, and learned preference profiles.
enum ContentSchema {
    static let schema = CatalogModuleSchema(module: "content", migrations: [
        """
        CREATE TABLE template_versions (
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            category TEXT NOT NULL,
            template TEXT NOT NULL CHECK (json_valid(template)),
            first_seen_at INTEGER NOT NULL,
            reason TEXT NOT NULL DEFAULT 'loaded',
            PRIMARY KEY (name, version)
        ) STRICT;
        CREATE TABLE ratings (
            image_id TEXT PRIMARY KEY REFERENCES images(id),
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
            rated_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE reservations (
            id TEXT PRIMARY KEY,
            image_id TEXT NOT NULL REFERENCES images(id),
            channel TEXT NOT NULL,
            day TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            released_at INTEGER
        ) STRICT;
        CREATE INDEX reservations_image ON reservations (image_id, released_at);
        CREATE TABLE profiles (
            name TEXT PRIMARY KEY,
            profile TEXT NOT NULL CHECK (json_valid(profile)),
            updated_at INTEGER NOT NULL
        ) STRICT;
        """,
    ])
}
