import Foundation
import Catalog

extension SQLiteCatalog: RatingStore {
    /// Rates an image 1...5 (the latest rating counts).
    package func rate(imageID: String, rating: Int, now: Date = Date()) throws {
        try migrate(ContentSchema.schema)
        try database.query("""
            INSERT INTO ratings (image_id, rating, rated_at) VALUES (?, ?, ?)
            ON CONFLICT (image_id) DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at
            """, [.text(imageID), .integer(Int64(rating)), .integer(ms(now))])
    }

    package func rating(imageID: String) throws -> Int? {
        try migrate(ContentSchema.schema)
        return try database.query("SELECT rating FROM ratings WHERE image_id = ?", [.text(imageID)]).first?["rating"]?.int.map(Int.init)
    }
}
