import Foundation
import CatalogSQLite

/// How often the providers' safety filters refused a template's jobs: the signal for the
/// "template filtered repeatedly" alert (the ops module's alert rules read it). A filtered job is
/// final — it is never retried on another provider to get around the filter — so each one here
/// is one refusal by a provider.
public struct ContentFilterCount: Sendable, Codable, Equatable {
    public var template: String
    /// Jobs of this template that ended `content_filtered` in the window.
    public var filtered: Int
    /// Jobs of this template that ended in the window, whatever their state.
    public var finished: Int
    public var lastFilteredAt: Date?

    enum CodingKeys: String, CodingKey {
        case template, filtered, finished
        case lastFilteredAt = "last_filtered_at"
    }
}

extension SQLiteCatalog {
    /// Content-filtered and finished jobs per template since `since`, most filtered first.
    public func contentFilterCounts(since: Date) throws -> [ContentFilterCount] {
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

    /// Templates filtered at least `threshold` times since `since`: what should raise an alert.
    public func templatesFilteredRepeatedly(threshold: Int = 3, since: Date) throws -> [ContentFilterCount] {
        try contentFilterCounts(since: since).filter { $0.filtered >= threshold }
    }
}
