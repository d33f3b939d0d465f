import ImagegenCore

/// An image as the review gallery and `GET /v1/images` show it: the record plus its rating and
/// review (which live beside the record, not in its sidecar).
public struct ListedImage: Sendable, Encodable, Equatable {
    public var record: ImageRecord
    public var rating: Int?
    public var review: ImageReview
    /// The active reservation's channel and day, when one holds it.
    public var reservation: Reservation?

    public init(record: ImageRecord, rating: Int?, review: ImageReview, reservation: Reservation? = nil) {
        self.record = record
        self.rating = rating
        self.review = review
        self.reservation = reservation
    }

    enum ExtraKeys: String, CodingKey { case rating, review, reservation }

    /// The record's own fields, plus `rating` (null when unrated), `review` and `reservation`.
    public func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        var c = encoder.container(keyedBy: ExtraKeys.self)
        try c.encode(rating, forKey: .rating)
        try c.encode(review, forKey: .review)
        try c.encode(reservation, forKey: .reservation)
    }
}

/// One page of a listing and where the next one starts (nil at the end).
public struct ImagePage: Sendable {
    public var images: [ListedImage]
    public var next: ImageCursor?
    public init(images: [ListedImage], next: ImageCursor?) {
        self.images = images
        self.next = next
    }
}
