import Foundation
import Catalog
import ImagegenCore

/// The image commands' browsing reads (tags, version chains); the prompt-word search is with the
/// prompt protection (`SQLiteCatalog+PromptProtection.swift`), which it needs.
extension SQLiteCatalog: ImageBrowsingStore {
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
}
