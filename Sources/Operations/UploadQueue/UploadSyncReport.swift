import Foundation

/// What one `storage sync` (or `UploadWorker.sync`) did.
package struct UploadSyncReport: Sendable, Equatable, Encodable {
    package struct Failure: Sendable, Equatable, Encodable {
        package var filePath: String
        package var error: String
        /// True when the file stays queued for a later attempt; false when it is marked failed.
        package var willRetry: Bool
        enum CodingKeys: String, CodingKey {
            case error
            case filePath = "file_path", willRetry = "will_retry"
        }
    }

    /// Files sent.
    package var uploaded = 0
    /// Files the bucket already held with the same checksum (nothing sent).
    package var alreadyPresent = 0
    package var failures: [Failure] = []
    /// Files that were waiting when the sync started.
    package var total = 0
    package var bytesSent: Int64 = 0

    package var succeeded: Bool { failures.isEmpty }

    enum CodingKeys: String, CodingKey {
        case uploaded, failures, total
        case alreadyPresent = "already_present", bytesSent = "bytes_sent"
    }
}

/// Progress of a sync, reported after each file.
package struct UploadSyncProgress: Sendable {
    package var done: Int
    package var total: Int
    package var filePath: String
    /// `uploaded`, `already present`, `failed: …`.
    package var result: String
}
