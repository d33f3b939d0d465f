import Foundation
import Catalog
import CatalogSQLite
import ImagegenCore

/// Finished jobs as generation records (statistics, alerts, the metrics feed), as on SQLite.
extension PostgresCatalog: GenerationRecordStore, ContentFilterStore {
    package func generationRecords(finishedFrom from: Date? = nil, before: Date? = nil,
                                   limit: Int = 1_000_000) throws -> [GenerationRecord] {
        try db.query(Self.recordSelect + """
             WHERE j.finished_at IS NOT NULL AND ($1::bigint IS NULL OR j.finished_at >= $1)
               AND ($2::bigint IS NULL OR j.finished_at < $2)
            ORDER BY j.finished_at, j.id LIMIT $3
            """, [from.map { .integer(ms($0)) } ?? .null, before.map { .integer(ms($0)) } ?? .null,
                  .integer(Int64(max(0, limit)))]).compactMap(Self.record(from:))
    }

    package func latestGenerationRecords(limit: Int) throws -> [GenerationRecord] {
        try db.query(Self.recordSelect + """
             WHERE j.finished_at IS NOT NULL ORDER BY j.finished_at DESC, j.id DESC LIMIT $1
            """, [.integer(Int64(max(0, limit)))]).compactMap(Self.record(from:)).reversed()
    }

    package func generationRecords(after cursor: GenerationRecordCursor?, limit: Int = 1000) throws
        -> (records: [GenerationRecord], next: GenerationRecordCursor?) {
        let rows = try db.query(Self.recordSelect + """
             WHERE j.finished_at IS NOT NULL AND ($1::bigint IS NULL OR (j.finished_at, j.id) > ($1, $2::text))
            ORDER BY j.finished_at, j.id LIMIT $3
            """, [cursor.map { .integer(ms($0.finishedAt)) } ?? .null, .text(cursor?.jobID ?? ""),
                  .integer(Int64(max(1, limit)))])
        let records = rows.compactMap(Self.record(from:))
        let next = rows.last.map { r in
            GenerationRecordCursor(finishedAt: Date(timeIntervalSince1970: Double(r["finished_at"]?.int ?? 0) / 1000),
                                   jobID: r["id"]?.string ?? "")
        } ?? cursor
        return (records, next)
    }

    package func storedImageCount(plugin: String, from: Date, before: Date) throws -> Int {
        Int(try db.query("""
            SELECT COUNT(*) AS n FROM images WHERE plugin_id = $1 AND variant = 'original' AND generated_at >= $2 AND generated_at < $3
            """, [.text(plugin), .integer(ms(from)), .integer(ms(before))]).first?["n"]?.int ?? 0)
    }

    package func contentFilterCounts(since: Date) throws -> [ContentFilterCount] {
        try db.query("""
            SELECT extra::jsonb -> 'extra' ->> 'template' AS template,
                   COUNT(*) FILTER (WHERE state = 'content_filtered') AS filtered, COUNT(*) AS finished,
                   MAX(CASE WHEN state = 'content_filtered' THEN finished_at END) AS last_filtered
            FROM jobs
            WHERE finished_at >= $1 AND extra::jsonb -> 'extra' ->> 'template' IS NOT NULL
            GROUP BY 1 ORDER BY filtered DESC, template
            """, [.integer(ms(since))]).map { row in
            ContentFilterCount(template: row["template"]?.string ?? "", filtered: Int(row["filtered"]?.int ?? 0),
                               finished: Int(row["finished"]?.int ?? 0),
                               lastFilteredAt: row["last_filtered"]?.int.map { Date(timeIntervalSince1970: Double($0) / 1000) })
        }
    }

    private static let recordSelect = """
        SELECT j.*,
          (SELECT AVG(i.quality_score) FROM images i
            WHERE i.job_id = j.id AND i.variant = 'original' AND i.quality_score IS NOT NULL) AS record_quality,
          (SELECT i.id FROM images i WHERE i.job_id = j.id AND i.variant = 'original'
            ORDER BY i.output_index LIMIT 1) AS record_image
        FROM jobs j
        """

    private static func record(from row: PostgresDatabase.Row) -> GenerationRecord? {
        GenerationRecord(job: SQLiteCatalog.job(from: row), qualityScore: row["record_quality"]?.double,
                         imageID: row["record_image"]?.string)
    }
}
