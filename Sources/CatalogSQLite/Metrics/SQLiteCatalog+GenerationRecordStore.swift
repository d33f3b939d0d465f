import Foundation
import Catalog

/// The record reads are in `CatalogGenerationRecords.swift` and `countJobs` with the jobs; the
/// per-provider image count is here.
extension SQLiteCatalog: GenerationRecordStore {
    public func storedImageCount(plugin: String, from: Date, before: Date) throws -> Int {
        Int(try database.query("""
            SELECT COUNT(*) AS n FROM images WHERE plugin_id = ? AND variant = 'original' AND generated_at >= ? AND generated_at < ?
            """, [.text(plugin), .integer(ms(from)), .integer(ms(before))]).first?["n"]?.int ?? 0)
    }
}
