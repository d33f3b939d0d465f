import ImagegenCore
import Catalog

extension SQLiteCatalog: ImageTagStore {
    public func setTags(imageID: String, tags: [String]) throws -> ImageRecord? {
        _ = try database.query("UPDATE images SET tags = ? WHERE id = ?", [.text(try SQLiteCatalog.encode(tags)), .text(imageID)])
        return try image(imageID)
    }
}
