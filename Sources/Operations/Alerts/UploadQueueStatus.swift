import Foundation

/// The state of an upload queue (the storage module's outbox to S3-compatible storage).
public struct UploadQueueStatus: Sendable, Hashable, Codable {
    /// The destination's name from config (e.g. "s3-main").
    public var destination: String
    public var pending: Int
    public var oldestEnqueuedAt: Date?

    public init(destination: String, pending: Int, oldestEnqueuedAt: Date?) {
        self.destination = destination
        self.pending = pending
        self.oldestEnqueuedAt = oldestEnqueuedAt
    }
}
