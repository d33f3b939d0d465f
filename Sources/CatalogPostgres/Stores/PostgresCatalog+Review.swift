import Foundation
import Catalog
import CatalogSQLite
import ImagegenCore

/// Review decisions, the review gallery's listing and editable tags, as on SQLite: the listing
/// is the same `ImageQuery` in PostgreSQL's dialect.
extension PostgresCatalog: ReviewStore, ImageListingStore, ImageTagStore {
    package func review(imageIDs: [String], decision: ReviewDecision, reviewer: String, now: Date) throws -> [ImageReview] {
        let reason = try decision.checkedReason(for: imageIDs)
        return try db.transaction {
            var out: [ImageReview] = []
            for id in imageIDs {
                guard let row = try db.query("SELECT variant, parent_id FROM images WHERE id = $1", [.text(id)]).first else {
                    throw ReviewError.unknownImage(id)
                }
                guard row["variant"]?.string == "original" else { throw ReviewError.derivative(id: id, original: row["parent_id"]?.string) }
                try db.query("""
                    INSERT INTO image_reviews (image_id, state, reason, reviewer, reviewed_at) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (image_id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
                        reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at
                    """, [.text(id), .text(decision.state.rawValue), reason.map { .text($0) } ?? .null, .text(reviewer), .integer(ms(now))])
                out.append(ImageReview(imageID: id, state: decision.state, reason: reason, reviewer: reviewer, reviewedAt: now))
            }
            return out
        }
    }

    package func review(imageID: String) throws -> ImageReview {
        guard let row = try db.query("SELECT * FROM image_reviews WHERE image_id = $1", [.text(imageID)]).first else {
            return .pending(imageID)
        }
        return ImageReview(imageID: imageID, state: ReviewState(rawValue: row["state"]?.string ?? "") ?? .pending,
                           reason: row["reason"]?.string, reviewer: row["reviewer"]?.string,
                           reviewedAt: row["reviewed_at"]?.int.map { Date(timeIntervalSince1970: Double($0) / 1000) })
    }

    package func imagePage(_ filter: ImageFilter) throws -> ImagePage {
        let query = ImageQuery(filter, joined: true, extra: 1, dialect: .postgres, ms: ms)
        let rows = try db.query(query.sql, query.bindings)
        let page = rows.prefix(max(0, filter.limit)).map(listedImage(from:))
        let next = rows.count > filter.limit ? page.last.map { listed in
            ImageCursor(generatedAtMilliseconds: rows[filter.limit - 1]["generated_at"]?.int ?? 0, imageID: listed.record.imageID)
        } : nil
        return ImagePage(images: page, next: next)
    }

    package func listedImage(_ id: String) throws -> ListedImage? {
        let query = ImageQuery(ImageFilter(limit: 1), joined: true, id: id, dialect: .postgres, ms: ms)
        return try db.query(query.sql, query.bindings).first.map(listedImage(from:))
    }

    func listedImage(from row: PostgresDatabase.Row) -> ListedImage {
        SQLiteCatalog.listedImage(from: row, record: imageRecord(from: row))
    }

    package func setTags(imageID: String, tags: [String]) throws -> ImageRecord? {
        try db.query("UPDATE images SET tags = $1 WHERE id = $2", [.text(try SQLiteCatalog.encode(tags)), .text(imageID)])
        return try image(imageID)
    }
}
