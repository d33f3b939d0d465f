import Foundation

/// What one `storage sync` (or `UploadWorker.sync`) did.
public struct UploadSyncReport: Sendable, Equatable, Encodable {
    public struct Failure: Sendable, Equatable, Encodable {
        public var filePath: String
        public var error: String
        /// True when the file stays queued for a later attempt; false when it is marked failed.
        public var willRetry: Bool
        enum CodingKeys: String, CodingKey {
            case error
            case filePath = "file_path", willRetry = "will_retry"
        }
    }

    /// Files sent.
    public var uploaded = 0
    /// Files the bucket already held with the same checksum (nothing sent).
    public var alreadyPresent = 0
    public var failures: [Failure] = []
    /// Files that were waiting when the sync started.
    public var total = 0
    public var bytesSent: Int64 = 0

    public var succeeded: Bool { failures.isEmpty }

    enum CodingKeys: String, CodingKey {
        case uploaded, failures, total
        case alreadyPresent = "already_present", bytesSent = "bytes_sent"
    }
}

/// Progress of a sync, reported after each file.
public struct UploadSyncProgress: Sendable {
    public var done: Int
    public var total: Int
    public var filePath: String
    /// `uploaded`, `already present`, `failed: …`.
    public var result: String
}
