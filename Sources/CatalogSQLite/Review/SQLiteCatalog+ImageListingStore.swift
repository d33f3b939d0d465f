import Foundation
import Catalog
import ImagegenCore

extension SQLiteCatalog: ImageListingStore {
    public func imagePage(_ filter: ImageFilter) throws -> ImagePage {
        try migrateListingTables()
        let query = ImageQuery(filter, joined: true, extra: 1, ms: ms)
        let rows = try database.query(query.sql, query.bindings)
        let page = rows.prefix(max(0, filter.limit)).map(listedImage(from:))
        let next = rows.count > filter.limit ? page.last.map { listed in
            ImageCursor(generatedAtMilliseconds: rows[filter.limit - 1]["generated_at"]?.int ?? 0, imageID: listed.record.imageID)
        } : nil
        return ImagePage(images: page, next: next)
    }

    public func listedImage(_ id: String) throws -> ListedImage? {
        try migrateListingTables()
        let query = ImageQuery(ImageFilter(limit: 1), joined: true, id: id, ms: ms)
        return try database.query(query.sql, query.bindings).first.map(listedImage(from:))
    }

    /// The tables the joined listing reads (ratings and reservations are the content module's).
    func migrateListingTables() throws {
        try migrate(ContentSchema.schema)
        try migrate(ReviewSchema.schema)
    }

    func listedImage(from row: SQLiteDatabase.Row) -> ListedImage { Self.listedImage(from: row, record: imageRecord(from: row)) }

    /// The rating, review and reservation columns of an `ImageQuery(joined: true)` row beside
    /// `record` (the row's image, prompts opened by the caller): one mapping for both catalogs.
    package static func listedImage(from row: SQLiteDatabase.Row, record: ImageRecord) -> ListedImage {
        func date(_ key: String) -> Date? { row[key]?.int.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
        let review = ImageReview(imageID: record.imageID, state: ReviewState(rawValue: row["rv_state"]?.string ?? "") ?? .pending,
                                 reason: row["rv_reason"]?.string, reviewer: row["rv_reviewer"]?.string, reviewedAt: date("rv_reviewed_at"))
        let reservation = row["res_id"]?.string.map { id in
            Reservation(id: id, imageID: record.imageID, channel: row["res_channel"]?.string ?? "", day: row["res_day"]?.string ?? "",
                        createdAt: date("res_created_at") ?? Date(timeIntervalSince1970: 0), releasedAt: nil)
        }
        return ListedImage(record: record, rating: row["r_rating"]?.int.map(Int.init), review: review, reservation: reservation)
    }
}
