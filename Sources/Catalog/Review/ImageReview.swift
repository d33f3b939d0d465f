import Foundation

/// The review decision of one original: state, the reason of a rejection, who decided and when.
public struct ImageReview: Sendable, Codable, Equatable {
    public var imageID: String
    public var state: ReviewState
    /// Why it was rejected (nil unless rejected).
    public var reason: String?
    /// The principal that decided (`user:alice`, `token:planning`); nil while pending.
    public var reviewer: String?
    public var reviewedAt: Date?

    enum CodingKeys: String, CodingKey {
        case state, reason, reviewer
        case imageID = "image_id", reviewedAt = "reviewed_at"
    }

    public init(imageID: String, state: ReviewState, reason: String? = nil, reviewer: String? = nil, reviewedAt: Date? = nil) {
        self.imageID = imageID
        self.state = state
        self.reason = reason
        self.reviewer = reviewer
        self.reviewedAt = reviewedAt
    }

    public static func pending(_ imageID: String) -> ImageReview { ImageReview(imageID: imageID, state: .pending) }
}
