import Foundation
import Crypto

/// The upload path a queue worker uses: digest the local file, skip an identical stored object,
/// upload (one PUT or multipart above the threshold) with retries, verify, and report the URL.
extension S3Client {
    /// Uploads `plan` unless the bucket already holds the same bytes under its key.
    ///
    /// "The same bytes" means equal size and SHA-256 (checksum or `content-sha256` metadata, see
    /// `S3ObjectInfo.comparison(with:)`), so a restart that re-queues finished files sends nothing twice.
    package func uploadIfChanged(_ plan: UploadPlan, digest: LocalFileDigest? = nil) async throws(S3Error) -> S3UploadOutcome {
        let digest = try Self.digest(digest, of: plan.localPath)
        let key = plan.key.rawValue
        if let existing = try await headObject(key: key), existing.comparison(with: digest) == .identical {
            return .alreadyPresent(existing, url: objectURL(key: key))
        }
        return .uploaded(try await upload(fileAt: plan.localPath, key: key, contentType: plan.contentType,
                                          metadata: plan.metadata, digest: digest))
    }

    /// Uploads a local file: one PUT up to `multipartThreshold` bytes, multipart above it.
    ///
    /// `content-sha256` metadata is always set from the digest. With `verifiesUploads`, a HEAD afterwards
    /// must show the same size and SHA-256, or `.checksumMismatch` is thrown. Pass a `digest` computed
    /// earlier to avoid hashing twice; the bytes actually read are re-hashed and must still match it
    /// (a file that changed meanwhile is refused rather than stored under a stale checksum).
    package func upload(fileAt path: String, key: String, contentType: String,
                       metadata: S3ObjectMetadata = S3ObjectMetadata(),
                       digest: LocalFileDigest? = nil) async throws(S3Error) -> S3UploadResult {
        let digest = try Self.digest(digest, of: path)
        let etag: String
        let checksum: String?
        let parts: Int
        var expectedComposite: String?
        if digest.size > Int64(configuration.multipartThreshold) {
            let result = try await uploadMultipart(fileAt: path, key: key, contentType: contentType,
                                                   metadata: metadata, digest: digest)
            (etag, checksum, parts, expectedComposite) = (result.etag, result.checksumSHA256, result.parts.count,
                                                          result.compositeChecksum)
        } else {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw .localFile(path: path, reason: "reading failed (\(error.localizedDescription))")
            }
            guard Int64(data.count) == digest.size, SHA256Digest.of(data) == digest.sha256 else {
                throw .localFile(path: path, reason: "the file changed since its checksum was computed; queue it again")
            }
            let response = try await putObject(data, key: key, contentType: contentType, metadata: metadata)
            (etag, checksum, parts) = (response.etag, response.checksumSHA256, 1)
        }
        var verified = false
        if configuration.verifiesUploads {
            try await verify(key: key, against: digest, compositeChecksum: expectedComposite)
            verified = true
        }
        return S3UploadResult(key: key, url: objectURL(key: key), etag: etag, size: digest.size, sha256: digest.sha256,
                              checksumSHA256: checksum, parts: parts, verified: verified)
    }

    /// HEADs `key` and checks that it holds exactly the bytes of `local`; returns what HEAD reported.
    /// Throws `.noSuchKey` when missing and `.checksumMismatch` when different or undecidable.
    @discardableResult
    package func verify(key: String, against local: LocalFileDigest,
                       compositeChecksum: String? = nil) async throws(S3Error) -> S3ObjectInfo {
        let operation = label("verify", key: key)
        guard let info = try await headObject(key: key) else {
            throw .noSuchKey(bucket: configuration.bucket, key: key)
        }
        if let compositeChecksum, info.isMultipart, let stored = info.checksumSHA256,
           Self.checksumValue(stored) != Self.checksumValue(compositeChecksum) {
            throw .checksumMismatch(operation: operation, expected: compositeChecksum, actual: stored)
        }
        switch info.comparison(with: local) {
        case .identical:
            return info
        case .different(let reason):
            throw .checksumMismatch(operation: operation, expected: "\(local.size) bytes, SHA-256 \(local.sha256.hex)",
                                    actual: reason)
        case .unknown:
            throw .checksumMismatch(operation: operation, expected: "SHA-256 \(local.sha256.hex)",
                                    actual: "an object without a SHA-256 checksum or content-sha256 metadata")
        }
    }

    /// A checksum without its `-<parts>` suffix (moto omits it; S3 includes it).
    static func checksumValue(_ checksum: String) -> Substring {
        checksum.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }

    private static func digest(_ known: LocalFileDigest?, of path: String) throws(S3Error) -> LocalFileDigest {
        if let known { return known }
        return try LocalFileDigest.compute(fileAt: path)
    }
}
