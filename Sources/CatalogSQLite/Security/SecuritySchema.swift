/// The catalog tables of the security module: the keyed-hash word index of prompts, quota
/// counts that survive restarts, and small facts the host remembers between runs (the budgets
/// last seen, template refusals already audited).
package enum SecuritySchema {
    package static let schema = CatalogModuleSchema(module: "security", migrations: [
        """
        CREATE TABLE prompt_words (
            token TEXT NOT NULL,
            image_id TEXT NOT NULL,
            PRIMARY KEY (token, image_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX prompt_words_image ON prompt_words (image_id);
        CREATE TABLE quota_daily (
            scope TEXT NOT NULL,
            day TEXT NOT NULL,
            images INTEGER NOT NULL,
            PRIMARY KEY (scope, day)
        ) STRICT;
        CREATE TABLE security_state (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;
        """,
    ])
}
