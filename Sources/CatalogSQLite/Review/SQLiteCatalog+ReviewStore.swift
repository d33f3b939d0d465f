import Foundation
import Catalog
import ImagegenCore

extension SQLiteCatalog: ReviewStore {
    public func review(imageIDs: [String], decision: ReviewDecision, reviewer: String, now: Date) throws -> [ImageReview] {
        let reason = try decision.checkedReason(for: imageIDs)
        try migrate(ReviewSchema.schema)
        return try database.transaction {
            var out: [ImageReview] = []
            for id in imageIDs {
                guard let row = try database.query("SELECT variant, parent_id FROM images WHERE id = ?", [.text(id)]).first else {
                    throw ReviewError.unknownImage(id)
                }
                guard row["variant"]?.string == "original" else { throw ReviewError.derivative(id: id, original: row["parent_id"]?.string) }
                try database.query("""
                    INSERT INTO image_reviews (image_id, state, reason, reviewer, reviewed_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (image_id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
                        reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at
                    """, [.text(id), .text(decision.state.rawValue), reason.map { .text($0) } ?? .null, .text(reviewer), .integer(ms(now))])
                out.append(ImageReview(imageID: id, state: decision.state, reason: reason, reviewer: reviewer, reviewedAt: now))
            }
            return out
        }
    }

    public func review(imageID: String) throws -> ImageReview {
        try migrate(ReviewSchema.schema)
        guard let row = try database.query("SELECT * FROM image_reviews WHERE image_id = ?", [.text(imageID)]).first else {
            return .pending(imageID)
        }
        return ImageReview(imageID: imageID, state: ReviewState(rawValue: row["state"]?.string ?? "") ?? .pending,
                           reason: row["reason"]?.string, reviewer: row["reviewer"]?.string,
                           reviewedAt: row["reviewed_at"]?.int.map { Date(timeIntervalSince1970: Double($0) / 1000) })
    }
}
