import Foundation
import Catalog
import CloudStorage
import Crypto

/// One attempt at one queue row: build the object key and metadata, upload unless the bucket already
/// holds the same bytes (`S3Client.uploadIfChanged`), verify, and say what happened.
///
/// Keys mirror the local hierarchy under the prefix (`<prefix>/<category>/<yyyy>/<mm>/<file>`), so a
/// restore maps them back by path. Metadata carries the image's catalog fields — never the prompt.
struct UploadTransfer: Sendable {
    let client: S3Client
    let dataDirectory: String

    enum Outcome: Sendable {
        case uploaded(key: String, url: URL, etag: String, bytes: Int64, sha256: SHA256Digest, parts: Int)
        /// The bucket already had the same bytes: nothing sent.
        case alreadyPresent(key: String, url: URL, etag: String, bytes: Int64, sha256: SHA256Digest)
        /// `retryable`: waiting and trying again can succeed (5xx, throttling, timeouts, a changed file).
        case failed(message: String, retryable: Bool)
        /// The task was cancelled (the worker is stopping); not an attempt.
        case interrupted
    }

    func run(_ item: UploadItem) async -> Outcome {
        let localPath = dataDirectory + "/" + item.filePath
        guard FileManager.default.fileExists(atPath: localPath) else {
            return .failed(message: "the local file \(localPath) is missing, so it cannot be uploaded; restore it from a "
                + "copy (or regenerate the image) and run `imagegen storage sync`", retryable: false)
        }
        let key: ObjectKey
        do {
            key = try Self.objectKey(for: item.filePath, prefix: client.configuration.keyPrefix)
        } catch {
            return .failed(message: "\(item.filePath): \(error.description)", retryable: false)
        }
        do throws(S3Error) {
            let digest = try LocalFileDigest.compute(fileAt: localPath)
            let plan = UploadPlan(localPath: localPath, key: key,
                                  contentType: ImageContentType.forFileExtension((item.filePath as NSString).pathExtension),
                                  metadata: try metadata(for: item, digest: digest))
            switch try await client.uploadIfChanged(plan, digest: digest) {
            case .uploaded(let result):
                return .uploaded(key: result.key, url: result.url, etag: result.etag, bytes: result.size,
                                 sha256: result.sha256, parts: result.parts)
            case .alreadyPresent(let info, let url):
                return .alreadyPresent(key: key.rawValue, url: url, etag: info.etag, bytes: digest.size, sha256: digest.sha256)
            }
        } catch {
            if case .cancelled = error { return .interrupted }
            return .failed(message: error.description, retryable: Self.isWorthRetrying(error))
        }
    }

    /// Retrying later helps for transient store trouble and for a file caught mid-rewrite; it does not
    /// help for wrong credentials, a missing bucket or a bad key, which need the operator.
    static func isWorthRetrying(_ error: S3Error) -> Bool {
        switch error {
        case .checksumMismatch, .malformedResponse: return true
        case .localFile(_, let reason): return reason.contains("changed")
        default: return error.isRetryable
        }
    }

    /// `content/<category>/<yyyy>/<mm>/<file>` → `<prefix>/<category>/<yyyy>/<mm>/<file>`.
    static func objectKey(for filePath: String, prefix: String) throws(ObjectKeyError) -> ObjectKey {
        guard filePath.hasPrefix("content/") else { throw .notAContentPath(filePath) }
        return try ObjectKey(prefix: prefix, contentRelativePath: String(filePath.dropFirst("content/".count)))
    }

    /// The image's catalog fields (no prompt), plus what kind of file this is.
    func metadata(for item: UploadItem, digest: LocalFileDigest) throws(S3Error) -> S3ObjectMetadata {
        do throws(S3ObjectMetadataError) {
            var metadata: S3ObjectMetadata
            if let image = item.image, item.kind != .sidecar {
                metadata = try ImageObjectMetadata(imageID: item.imageID, category: image.category, model: image.model,
                                                   cost: image.costUSD.flatMap { Decimal(string: String($0)) },
                                                   contentSHA256: digest.sha256, createdAt: image.generatedAt).objectMetadata()
                try metadata.set("variant", image.variant)
            } else {
                metadata = S3ObjectMetadata()
                try metadata.set("image-id", item.imageID)
                if let image = item.image { try metadata.set("category", image.category) }
            }
            try metadata.set("kind", item.kind.rawValue)
            return metadata
        } catch {
            throw .invalidRequest("object metadata for \(item.filePath): \(error.description)")
        }
    }
}
