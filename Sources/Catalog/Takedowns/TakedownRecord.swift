import Foundation

/// One takedown request and how far it got: received, committed (the images are gone from every
/// listing and the upload queue), completed (files and cloud objects deleted).
public struct TakedownRecord: Sendable, Equatable, Encodable {
    public var id: String
    /// What the request named: `image`, `sha256` or `like` (a file, matched by its hashes).
    public var targetKind: String
    /// The image id, the SHA-256, or the file's name with its hashes.
    public var target: String
    public var reason: String
    /// When the requester asked (the legal clock starts here; defaults to `receivedAt`).
    public var requestedAt: Date
    public var receivedAt: Date
    public var committedAt: Date?
    public var completedAt: Date?
    /// The originals removed (each with its derivatives).
    public var images: [String]
    public var cleanup: TakedownCleanup
    /// Why the request is not complete (a cloud delete failed, …); nil once complete.
    public var lastError: String?
    /// Who asked (the audit principal).
    public var requestedBy: String

    /// From the request to the completion, in seconds; nil while incomplete.
    public var secondsToCompletion: Double? { completedAt.map { $0.timeIntervalSince(requestedAt) } }

    public init(id: String, targetKind: String, target: String, reason: String, requestedAt: Date, receivedAt: Date,
                committedAt: Date? = nil, completedAt: Date? = nil, images: [String] = [], cleanup: TakedownCleanup = TakedownCleanup(),
                lastError: String? = nil, requestedBy: String) {
        self.id = id
        self.targetKind = targetKind
        self.target = target
        self.reason = reason
        self.requestedAt = requestedAt
        self.receivedAt = receivedAt
        self.committedAt = committedAt
        self.completedAt = completedAt
        self.images = images
        self.cleanup = cleanup
        self.lastError = lastError
        self.requestedBy = requestedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, target, reason, images, cleanup
        case targetKind = "target_kind", requestedAt = "requested_at", receivedAt = "received_at"
        case committedAt = "committed_at", completedAt = "completed_at", lastError = "last_error"
        case requestedBy = "requested_by", secondsToCompletion = "seconds_to_completion"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(targetKind, forKey: .targetKind)
        try c.encode(target, forKey: .target)
        try c.encode(reason, forKey: .reason)
        try c.encode(RecordTime.iso(requestedAt), forKey: .requestedAt)
        try c.encode(RecordTime.iso(receivedAt), forKey: .receivedAt)
        try c.encode(committedAt.map(RecordTime.iso), forKey: .committedAt)
        try c.encode(completedAt.map(RecordTime.iso), forKey: .completedAt)
        try c.encode(secondsToCompletion, forKey: .secondsToCompletion)
        try c.encode(images, forKey: .images)
        try c.encode(cleanup, forKey: .cleanup)
        try c.encode(lastError, forKey: .lastError)
        try c.encode(requestedBy, forKey: .requestedBy)
    }
}
