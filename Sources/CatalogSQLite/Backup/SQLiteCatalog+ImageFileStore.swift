import Foundation
import Catalog

extension SQLiteCatalog: ImageFileStore {
    public func imageFiles() throws -> [CatalogImageFile] {
        try Self.imageFiles(in: database)
    }

    static func imageFiles(in database: SQLiteDatabase) throws -> [CatalogImageFile] {
        try database.query("""
            SELECT id, file_path, content_sha256 FROM images WHERE status <> 'taken_down' ORDER BY generated_at, id
            """).compactMap { row in
            guard let id = row["id"]?.string, let path = row["file_path"]?.string else { return nil }
            return CatalogImageFile(imageID: id, filePath: path, sha256: row["content_sha256"]?.string ?? "")
        }
    }
}
