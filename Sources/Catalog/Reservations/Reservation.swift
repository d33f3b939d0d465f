import Foundation

/// An image held for a post on a channel and day (the planning module's hook).
public struct Reservation: Sendable, Codable, Equatable {
    public var id: String
    public var imageID: String
    public var channel: String
    /// YYYY-MM-DD.
    public var day: String
    public var createdAt: Date
    public var releasedAt: Date?
    enum CodingKeys: String, CodingKey {
        case id, channel, day
        case imageID = "image_id", createdAt = "created_at", releasedAt = "released_at"
    }
    public init(id: String, imageID: String, channel: String, day: String, createdAt: Date, releasedAt: Date?) {
        self.id = id
        self.imageID = imageID
        self.channel = channel
        self.day = day
        self.createdAt = createdAt
        self.releasedAt = releasedAt
    }
}
