import CatalogSQLite
import Foundation

/// Applies numbered migrations, each in its own transaction with its row in `schema_migrations`,
/// under an advisory lock so hosts starting together migrate once and never half-way: a crash
/// mid-upgrade leaves the previous version. A database newer than this imagegen is refused.
package struct PostgresMigrator {
    let db: PostgresDatabase

    package func migrate(_ modules: [CatalogModuleSchema]) throws {
        try db.transaction {
            try db.query("SELECT pg_advisory_xact_lock($1)", [.integer(PostgresCatalog.LockKey.migrations)])
            try db.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    module TEXT NOT NULL, version INTEGER NOT NULL, applied_at BIGINT NOT NULL, PRIMARY KEY (module, version))
                """)
        }
        for module in modules {
            while try step(module) {}
        }
    }

    /// Applies the next migration of `module`; false when it is current.
    private func step(_ schema: CatalogModuleSchema) throws -> Bool {
        try db.transaction {
            try db.query("SELECT pg_advisory_xact_lock($1)", [.integer(PostgresCatalog.LockKey.migrations)])
            let current = try version(of: schema.module)
            guard current <= schema.migrations.count else {
                throw PostgresFailure(sqlState: "XX000", message: "the catalog's \(schema.module) tables have version \(current), "
                                      + "newer than this imagegen (\(schema.migrations.count)); upgrade imagegen")
            }
            guard current < schema.migrations.count else { return false }
            try db.execute(schema.migrations[current])
            try db.query("INSERT INTO schema_migrations (module, version, applied_at) VALUES ($1, $2, $3)",
                         [.text(schema.module), .integer(Int64(current + 1)), .integer(Int64(Date().timeIntervalSince1970 * 1000))])
            return true
        }
    }

    package func version(of module: String) throws -> Int {
        Int(try db.query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations WHERE module = $1", [.text(module)])
            .first?["v"]?.int ?? 0)
    }
}
