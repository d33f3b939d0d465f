import Foundation

/// The upload queue at a glance: what `imagegen storage status` prints and what alerts look at.
public struct UploadQueueSummary: Sendable, Equatable, Encodable {
    public struct LastError: Sendable, Equatable, Encodable {
        public var filePath: String
        public var message: String
        public var at: Date
        public var attempts: Int
        public var state: UploadState
        public init(filePath: String, message: String, at: Date, attempts: Int, state: UploadState) {
            self.filePath = filePath
            self.message = message
            self.at = at
            self.attempts = attempts
            self.state = state
        }
        enum CodingKeys: String, CodingKey {
            case message, at, attempts, state
            case filePath = "file_path"
        }
    }

    public var counts: [UploadState: Int]
    public var uploadedBytes: Int64
    /// When the oldest pending (or in-flight) file was queued; nil when nothing waits.
    public var oldestWaitingSince: Date?
    public var lastError: LastError?
    public var at: Date

    public init(counts: [UploadState: Int], uploadedBytes: Int64, oldestWaitingSince: Date?, lastError: LastError?, at: Date) {
        self.counts = counts
        self.uploadedBytes = uploadedBytes
        self.oldestWaitingSince = oldestWaitingSince
        self.lastError = lastError
        self.at = at
    }

    public func count(_ state: UploadState) -> Int { counts[state] ?? 0 }
    /// Files not yet in the cloud and not given up on.
    public var waiting: Int { count(.pending) + count(.uploading) }
    public var total: Int { counts.values.reduce(0, +) }

    enum CodingKeys: String, CodingKey {
        case pending, uploading, uploaded, failed, total, at
        case uploadedBytes = "uploaded_bytes", oldestWaitingSince = "oldest_waiting_since", lastError = "last_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count(.pending), forKey: .pending)
        try c.encode(count(.uploading), forKey: .uploading)
        try c.encode(count(.uploaded), forKey: .uploaded)
        try c.encode(count(.failed), forKey: .failed)
        try c.encode(total, forKey: .total)
        try c.encode(uploadedBytes, forKey: .uploadedBytes)
        try c.encode(oldestWaitingSince, forKey: .oldestWaitingSince)
        try c.encode(lastError, forKey: .lastError)
        try c.encode(at, forKey: .at)
    }
}
