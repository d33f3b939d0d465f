import Foundation
import Crypto

/// A finished upload: where it is and what the store confirmed.
package struct S3UploadResult: Sendable, Hashable {
    package let key: String
    /// The object's URL (path-style or virtual-hosted, per configuration), for the catalog.
    package let url: URL
    /// The ETag the store returned (unquoted).
    package let etag: String
    package let size: Int64
    package let sha256: SHA256Digest
    /// The store's `x-amz-checksum-sha256` for the object (composite `…-N` for multipart), if reported.
    package let checksumSHA256: String?
    /// 1 for a single PUT.
    package let parts: Int
    /// True when a HEAD after the upload confirmed size and SHA-256 (`S3Configuration.verifiesUploads`).
    package let verified: Bool
}

/// What `S3Client.uploadIfChanged` did.
package enum S3UploadOutcome: Sendable, Hashable {
    /// The object was already stored with the same size and SHA-256; nothing was sent.
    case alreadyPresent(S3ObjectInfo, url: URL)
    case uploaded(S3UploadResult)

    package var url: URL {
        switch self {
        case .alreadyPresent(_, let url): return url
        case .uploaded(let result): return result.url
        }
    }
}
