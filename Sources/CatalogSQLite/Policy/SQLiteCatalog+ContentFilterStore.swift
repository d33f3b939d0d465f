import Foundation
import Catalog

/// Content-filter counts from `jobs`: the template is in `extra.extra.template`.
extension SQLiteCatalog: ContentFilterStore {
    package func contentFilterCounts(since: Date) throws -> [ContentFilterCount] {
        try database.query("""
            SELECT json_extract(extra, '$.extra.template') AS template,
                   SUM(state = 'content_filtered') AS filtered, COUNT(*) AS finished,
                   MAX(CASE WHEN state = 'content_filtered' THEN finished_at END) AS last_filtered
            FROM jobs
            WHERE finished_at >= ? AND json_extract(extra, '$.extra.template') IS NOT NULL
            GROUP BY template ORDER BY filtered DESC, template
            """, [.integer(ms(since))]).map { row in
            ContentFilterCount(template: row["template"]?.string ?? "", filtered: Int(row["filtered"]?.int ?? 0),
                               finished: Int(row["finished"]?.int ?? 0),
                               lastFilteredAt: row["last_filtered"]?.int.map { Date(timeIntervalSince1970: Double($0) / 1000) })
        }
    }
}
