import Foundation
import Catalog
import Templates

extension SQLiteCatalog: ExperimentStore {
    /// Per arm of a template's experiment: images made, and one outcome per image that has a
    /// rating or a quality score.
    public func experimentData(template: String) throws -> (assignments: [String: Int], outcomes: [ExperimentOutcome]) {
        try migrate(ContentSchema.schema)
        let rows = try database.query("""
            SELECT json_extract(i.extra, '$.arm') AS arm, r.rating AS rating, i.quality_score AS quality
            FROM images i LEFT JOIN ratings r ON r.image_id = i.id
            WHERE i.variant = 'original' AND json_extract(i.extra, '$.template') = ? AND json_extract(i.extra, '$.arm') IS NOT NULL
            """, [.text(template)])
        var assignments: [String: Int] = [:]
        var outcomes: [ExperimentOutcome] = []
        for r in rows {
            guard let arm = r["arm"]?.string else { continue }
            assignments[arm, default: 0] += 1
            let rating = r["rating"]?.int.map(Int.init)
            let quality = r["quality"]?.double
            if rating != nil || quality != nil { outcomes.append(ExperimentOutcome(arm: arm, rating: rating, qualityScore: quality)) }
        }
        // Jobs still running count as assignments too, so arms keep taking turns.
        for r in try database.query("""
            SELECT json_extract(extra, '$.extra.arm') AS arm FROM jobs
            WHERE state IN ('queued','submitting','submitted','running') AND json_extract(extra, '$.extra.template') = ?
            """, [.text(template)]) {
            if let arm = r["arm"]?.string { assignments[arm, default: 0] += 1 }
        }
        return (assignments, outcomes)
    }
}
