import Foundation
import ImagegenCore
import Templates

extension SQLiteCatalog {
    /// Rates an image 1...5 (the latest rating counts).
    public func rate(imageID: String, rating: Int, now: Date = Date()) throws {
        try migrate(ContentSchema.schema)
        try database.query("""
            INSERT INTO ratings (image_id, rating, rated_at) VALUES (?, ?, ?)
            ON CONFLICT (image_id) DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at
            """, [.text(imageID), .integer(Int64(rating)), .integer(ms(now))])
    }

    public func rating(imageID: String) throws -> Int? {
        try migrate(ContentSchema.schema)
        return try database.query("SELECT rating FROM ratings WHERE image_id = ?", [.text(imageID)]).first?["rating"]?.int.map(Int.init)
    }

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

    /// The tags in use with their image counts.
    public func tagCounts(category: String?) throws -> [(tag: String, count: Int)] {
        try database.query("""
            SELECT t.value AS tag, COUNT(*) AS n FROM images i, json_each(i.tags) t
            WHERE i.variant = 'original' AND (?1 IS NULL OR i.category = ?1) GROUP BY t.value ORDER BY n DESC, tag
            """, [category.map { .text($0) } ?? .null]).map { ($0["tag"]?.string ?? "", Int($0["n"]?.int ?? 0)) }
    }

    /// The version chain an image belongs to: from its root, every regenerated descendant in
    /// order. Post-processing derivatives are not part of it (`PostProcessingStore.derivatives`).
    public func versionChain(imageID: String) throws -> [ImageRecord] {
        let root = try database.query("""
            WITH RECURSIVE up(id, parent_id) AS (
                SELECT id, parent_id FROM images WHERE id = ?
                UNION ALL SELECT i.id, i.parent_id FROM images i JOIN up ON i.id = up.parent_id)
            SELECT id FROM up WHERE parent_id IS NULL
            """, [.text(imageID)]).first?["id"]?.string
        guard let root else { return [] }
        return try database.query("""
            WITH RECURSIVE down(id, depth) AS (
                SELECT id, 0 FROM images WHERE id = ?
                UNION ALL SELECT i.id, down.depth + 1 FROM images i JOIN down ON i.parent_id = down.id
                          WHERE i.variant = 'original')
            SELECT images.* FROM images JOIN down USING (id) ORDER BY down.depth, images.version, images.generated_at
            """, [.text(root)]).map(imageRecord(from:))
    }

    /// A learned profile, if one was stored.
    public func storedProfile(_ name: String) throws -> PreferenceProfile? {
        try migrate(ContentSchema.schema)
        guard let json = try database.query("SELECT profile FROM profiles WHERE name = ?", [.text(name)]).first?["profile"]?.string else { return nil }
        return try? JSONDecoder().decode(PreferenceProfile.self, from: Data(json.utf8))
    }

    public func storeProfile(_ profile: PreferenceProfile, now: Date = Date()) throws {
        try migrate(ContentSchema.schema)
        let data = try JSONEncoder().encode(profile)
        try database.query("""
            INSERT INTO profiles (name, profile, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at
            """, [.text(profile.name), .text(String(decoding: data, as: UTF8.self)), .integer(ms(now))])
    }
}
