import Foundation

/// What HEAD tells about a stored object.
package struct S3ObjectInfo: Sendable, Hashable {
    package let key: String
    package let size: Int64
    /// The ETag without quotes. For single-part uploads without SSE-KMS it is the MD5 of the bytes;
    /// for multipart uploads it is `<md5-of-md5s>-<parts>`. We record it but compare SHA-256 instead.
    package let etag: String
    package let contentType: String?
    package let lastModified: String?
    /// `x-amz-checksum-sha256` (base64) when the object was stored with a SHA-256 checksum; a
    /// multipart object's composite value ends in `-<parts>`.
    package let checksumSHA256: String?
    /// `FULL_OBJECT` or `COMPOSITE` when the store reports it.
    package let checksumType: String?
    package let metadata: S3ObjectMetadata

    package init(key: String, size: Int64, etag: String, contentType: String?, lastModified: String?,
                checksumSHA256: String?, checksumType: String?, metadata: S3ObjectMetadata) {
        self.key = key
        self.size = size
        self.etag = etag
        self.contentType = contentType
        self.lastModified = lastModified
        self.checksumSHA256 = checksumSHA256
        self.checksumType = checksumType
        self.metadata = metadata
    }

    init(key: String, responseHeaders headers: [String: String]) {
        self.init(key: key,
                  size: Int64(headers["content-length"] ?? "") ?? 0,
                  etag: Self.unquoted(headers["etag"] ?? ""),
                  contentType: headers["content-type"],
                  lastModified: headers["last-modified"],
                  checksumSHA256: headers["x-amz-checksum-sha256"],
                  checksumType: headers["x-amz-checksum-type"],
                  metadata: S3ObjectMetadata(responseHeaders: headers))
    }

    /// Whether the stored object holds exactly the bytes of `local`.
    ///
    /// Size must match; then a full-object SHA-256 checksum decides (single-part objects only), else our
    /// `content-sha256` metadata. Without either the answer is `.unknown` and an uploader should upload again.
    package func comparison(with local: LocalFileDigest) -> S3ObjectComparison {
        if size != local.size {
            return .different(reason: "the stored object is \(size) bytes, the local file \(local.size)")
        }
        if let checksum = checksumSHA256, !isMultipart, !checksum.contains("-"), checksumType != "COMPOSITE" {
            return checksum == local.sha256.base64
                ? .identical
                : .different(reason: "stored SHA-256 checksum \(checksum) ≠ local \(local.sha256.base64)")
        }
        if let recorded = metadata[S3ObjectMetadata.contentSHA256Name] {
            return recorded.lowercased() == local.sha256.hex
                ? .identical
                : .different(reason: "stored content-sha256 \(recorded) ≠ local \(local.sha256.hex)")
        }
        return .unknown
    }

    /// Uploaded in parts: S3 marks a multipart ETag with `-<parts>`. Its SHA-256 checksum, if any, is
    /// then a checksum of the parts' checksums, not of the bytes — even when a store (moto) reports it
    /// without the `-<parts>` suffix or the `COMPOSITE` type.
    package var isMultipart: Bool { etag.contains("-") }

    static func unquoted(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? String(etag.dropFirst().dropLast()) : etag
    }
}

/// The outcome of comparing a stored object with a local file.
package enum S3ObjectComparison: Sendable, Hashable {
    case identical
    case different(reason: String)
    /// The store reports neither a SHA-256 checksum nor our metadata: cannot tell.
    case unknown
}
