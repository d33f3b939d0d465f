/// The catalog tables of people: user accounts (Argon2id password hashes, never passwords) and
/// their browser sessions (SHA-256 of the token, never the token), with absolute expiry.
enum PeopleSchema {
    static let schema = CatalogModuleSchema(module: "people", migrations: [
        """
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('viewer','reviewer','operator','admin')),
            password_hash TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0,
            adult_verified INTEGER NOT NULL DEFAULT 0,
            adult_verified_by TEXT,
            adult_verified_at INTEGER,
            created_at INTEGER NOT NULL,
            password_changed_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_name TEXT NOT NULL REFERENCES users(name),
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            address TEXT NOT NULL
        ) STRICT;
        CREATE INDEX sessions_user ON sessions (user_name);
        CREATE INDEX sessions_expiry ON sessions (expires_at);
        """,
    ])
}
