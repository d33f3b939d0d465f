import Foundation

/// Review decisions of originals (`pending` → `approved` | `rejected`).
public protocol ReviewStore: Sendable {
    /// Records `decision` for every image of `imageIDs` (originals), all or none, in one
    /// committed transaction, and returns the new reviews in the order given. Throws `ReviewError`.
    func review(imageIDs: [String], decision: ReviewDecision, reviewer: String, now: Date) throws -> [ImageReview]
    /// The review of `imageID`: `pending` when nobody decided yet. One read.
    func review(imageID: String) throws -> ImageReview
}
