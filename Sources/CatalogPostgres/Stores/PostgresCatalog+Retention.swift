import Foundation
import Catalog
import CatalogSQLite

/// The retention rules' candidates and purge, as on SQLite (the same rules, PostgreSQL's dialect).
extension PostgresCatalog: RetentionStore {
    package func retentionCandidates(rejectedBefore: Date?, quarantinedBefore: Date?, limit: Int) throws -> [RetentionCandidate] {
        let limit = max(0, limit)
        var found: [RetentionCandidate] = []
        if let rejectedBefore {
            let rows = try db.query("""
                SELECT i.id, rv.reviewed_at AS since FROM images i JOIN image_reviews rv ON rv.image_id = i.id
                WHERE i.variant = 'original' AND i.status IN ('completed', 'quarantined') AND rv.state = 'rejected'
                  AND rv.reviewed_at < $1 ORDER BY rv.reviewed_at, i.id LIMIT $2
                """, [.integer(ms(rejectedBefore)), .integer(Int64(limit))])
            found += try rows.map { try candidate($0, rule: .rejected) }
        }
        if let quarantinedBefore {
            let rows = try db.query("""
                SELECT i.id, i.generated_at AS since FROM images i
                WHERE i.variant = 'original' AND i.status = 'quarantined' AND i.generated_at < $1
                  AND NOT EXISTS (SELECT 1 FROM image_reviews rv WHERE rv.image_id = i.id AND rv.state = 'rejected')
                ORDER BY i.generated_at, i.id LIMIT $2
                """, [.integer(ms(quarantinedBefore)), .integer(Int64(limit))])
            found += try rows.map { try candidate($0, rule: .quarantined) }
        }
        return Array(found.sorted { ($0.since, $0.imageID) < ($1.since, $1.imageID) }.prefix(limit))
    }

    private func candidate(_ row: PostgresDatabase.Row, rule: RetentionCandidate.Rule) throws -> RetentionCandidate {
        let id = row["id"]?.string ?? ""
        let files = try db.query("""
            SELECT file_path FROM images WHERE (id = $1 OR parent_id = $1) AND status <> 'purged'
            ORDER BY variant <> 'original', id
            """, [.text(id)]).compactMap { $0["file_path"]?.string }
        return RetentionCandidate(imageID: id, rule: rule, since: SQLiteCatalog.date(ms: row["since"]?.int), files: files)
    }

    package func markPurged(imageID: String, now: Date) throws {
        try db.transaction {
            try db.query("""
                UPDATE jobs SET prompt = '', negative_prompt = NULL, updated_at = $1
                WHERE id IN (SELECT job_id FROM images WHERE id = $2 AND job_id IS NOT NULL)
                """, [.integer(ms(now)), .text(imageID)])
            try db.query("""
                DELETE FROM uploads WHERE state IN ('pending', 'failed')
                  AND image_id IN (SELECT id FROM images WHERE id = $1 OR parent_id = $1)
                """, [.text(imageID)])
            if promptProtection?.search == .index {
                try db.query("DELETE FROM prompt_words WHERE image_id IN (SELECT id FROM images WHERE id = $1 OR parent_id = $1)",
                             [.text(imageID)])
            }
            try db.query("UPDATE images SET status = 'purged', prompt = '', negative_prompt = NULL WHERE id = $1 OR parent_id = $1",
                         [.text(imageID)])
        }
    }
}
