import Foundation
import Crypto

/// A finished upload: where it is and what the store confirmed.
public struct S3UploadResult: Sendable, Hashable {
    public let key: String
    /// The object's URL (path-style or virtual-hosted, per configuration), for the catalog.
    public let url: URL
    /// The ETag the store returned (unquoted).
    public let etag: String
    public let size: Int64
    public let sha256: SHA256Digest
    /// The store's `x-amz-checksum-sha256` for the object (composite `…-N` for multipart), if reported.
    public let checksumSHA256: String?
    /// 1 for a single PUT.
    public let parts: Int
    /// True when a HEAD after the upload confirmed size and SHA-256 (`S3Configuration.verifiesUploads`).
    public let verified: Bool
}

/// What `S3Client.uploadIfChanged` did.
public enum S3UploadOutcome: Sendable, Hashable {
    /// The object was already stored with the same size and SHA-256; nothing was sent.
    case alreadyPresent(S3ObjectInfo, url: URL)
    case uploaded(S3UploadResult)

    public var url: URL {
        switch self {
        case .alreadyPresent(_, let url): return url
        case .uploaded(let result): return result.url
        }
    }
}
