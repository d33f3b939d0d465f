import Foundation

/// What a takedown request names, and why. `like` carries the requester's copy of the image: it
/// is matched by its SHA-256 (identical copies) and its perceptual hash (near-identical ones) and
/// never stored.
public struct TakedownRequest: Sendable {
    public enum Target: Sendable {
        case image(String)
        case sha256(String)
        case like(name: String, bytes: Data)
    }

    public var target: Target
    public var reason: String
    /// When the requester asked (the 48-hour clock of the TAKE IT DOWN Act starts here); nil: now.
    public var requestedAt: Date?

    public init(target: Target, reason: String, requestedAt: Date? = nil) {
        self.target = target
        self.reason = reason
        self.requestedAt = requestedAt
    }
}
