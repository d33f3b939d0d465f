import Foundation

/// Where an image's rating is kept: 1…5, the latest rating of an image counts. Ratings feed
/// the A/B experiments (`ExperimentStore`) and the learned preference profiles.
package protocol RatingStore: Sendable {
    /// Records `rating` for `imageID`, replacing an earlier one. One committed transaction.
    func rate(imageID: String, rating: Int, now: Date) throws
    /// The latest rating of `imageID`, nil when it has none. One read.
    func rating(imageID: String) throws -> Int?
}
