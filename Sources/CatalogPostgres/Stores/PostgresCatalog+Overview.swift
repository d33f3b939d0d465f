import Foundation
import Catalog
import CatalogSQLite
import ImagegenCore

/// The API's job overview reads and the image commands' browsing reads, as on SQLite.
extension PostgresCatalog: JobOverviewStore, ImageBrowsingStore, ImageFileStore {
    package func originalImages(ofJobs ids: [String]) throws -> [ImageRecord] {
        guard !ids.isEmpty else { return [] }
        let order = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return try db.query("""
            SELECT * FROM images WHERE job_id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND variant = 'original'
            """, [.text(try SQLiteCatalog.encode(ids))]).map(imageRecord(from:))
            .sorted { (order[$0.jobID ?? ""] ?? 0, $0.imageID) < (order[$1.jobID ?? ""] ?? 0, $1.imageID) }
    }

    package func finalJobIDs(among ids: [String]) throws -> Set<String> {
        Set(try db.query("""
            SELECT id FROM jobs WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))
              AND state IN ('succeeded','failed','cancelled','content_filtered')
            """, [.text(try SQLiteCatalog.encode(ids))]).compactMap { $0["id"]?.string })
    }

    package func jobCounts() throws -> [JobCount] {
        try db.query("""
            SELECT model, COALESCE(plugin_id, '') AS plugin, state, COUNT(*) AS n FROM jobs GROUP BY model, COALESCE(plugin_id, ''), state
            """).compactMap { r in
            guard let state = r["state"]?.string.flatMap(JobState.init(rawValue:)) else { return nil }
            return JobCount(model: r["model"]?.string ?? "", plugin: r["plugin"]?.string ?? "", state: state,
                            count: Int(r["n"]?.int ?? 0))
        }
    }

    package func tagCounts(category: String?) throws -> [(tag: String, count: Int)] {
        try db.query("""
            SELECT t.tag AS tag, COUNT(*) AS n FROM images i, jsonb_array_elements_text(i.tags::jsonb) AS t(tag)
            WHERE i.variant = 'original' AND ($1::text IS NULL OR i.category = $1) GROUP BY t.tag ORDER BY n DESC, tag
            """, [category.map { .text($0) } ?? .null]).map { ($0["tag"]?.string ?? "", Int($0["n"]?.int ?? 0)) }
    }

    package func versionChain(imageID: String) throws -> [ImageRecord] {
        let root = try db.query("""
            WITH RECURSIVE up(id, parent_id) AS (
                SELECT id, parent_id FROM images WHERE id = $1
                UNION ALL SELECT i.id, i.parent_id FROM images i JOIN up ON i.id = up.parent_id)
            SELECT id FROM up WHERE parent_id IS NULL
            """, [.text(imageID)]).first?["id"]?.string
        guard let root else { return [] }
        return try db.query("""
            WITH RECURSIVE down(id, depth) AS (
                SELECT id, 0 FROM images WHERE id = $1
                UNION ALL SELECT i.id, down.depth + 1 FROM images i JOIN down ON i.parent_id = down.id
                          WHERE i.variant = 'original')
            SELECT images.* FROM images JOIN down USING (id) ORDER BY down.depth, images.version, images.generated_at
            """, [.text(root)]).map(imageRecord(from:))
    }

    package func imageFiles() throws -> [CatalogImageFile] {
        try db.query("SELECT id, file_path, content_sha256 FROM images WHERE status <> 'taken_down' ORDER BY generated_at, id").compactMap { row in
            guard let id = row["id"]?.string, let path = row["file_path"]?.string else { return nil }
            return CatalogImageFile(imageID: id, filePath: path, sha256: row["content_sha256"]?.string ?? "")
        }
    }
}
