import Foundation

/// Where and how to talk to an S3-compatible store (AWS S3, Cloudflare R2, Backblaze B2, MinIO, Wasabi, moto).
package struct S3Configuration: Sendable, Hashable {
    /// Scheme, host and optional port, no path: `https://s3.eu-west-1.amazonaws.com`,
    /// `https://<account>.r2.cloudflarestorage.com`, `http://127.0.0.1:9000`.
    package var endpoint: URL
    /// The signing region: the bucket's region on AWS, `auto` on R2, usually `us-east-1` elsewhere.
    package var region: String
    package var bucket: String
    package var addressing: S3AddressingStyle
    /// Prepended to every object key the uploader builds (`<prefix>/<category>/<yyyy>/<mm>/…`); may be empty.
    package var keyPrefix: String
    /// Files larger than this go up as multipart uploads.
    package var multipartThreshold: Int
    /// Multipart part size; S3 requires at least 5 MiB for every part but the last.
    package var partSize: Int
    /// Per-request idle timeout.
    package var requestTimeout: TimeInterval
    package var retryPolicy: S3RetryPolicy
    package var payloadSigning: S3PayloadSigning
    /// Send `x-amz-checksum-sha256` (and ask for it back). Turn off only for a store that rejects it.
    package var sendsChecksums: Bool
    /// After an upload, HEAD the object and compare size and checksum before reporting success.
    package var verifiesUploads: Bool

    package static let minimumPartSize = 5 * 1024 * 1024
    package static let maximumParts = 10_000

    package init(endpoint: URL, region: String, bucket: String, addressing: S3AddressingStyle = .path,
                keyPrefix: String = "", multipartThreshold: Int = 16 * 1024 * 1024, partSize: Int = 8 * 1024 * 1024,
                requestTimeout: TimeInterval = 60, retryPolicy: S3RetryPolicy = S3RetryPolicy(),
                payloadSigning: S3PayloadSigning = .signed, sendsChecksums: Bool = true, verifiesUploads: Bool = true) {
        self.endpoint = endpoint
        self.region = region
        self.bucket = bucket
        self.addressing = addressing
        self.keyPrefix = keyPrefix
        self.multipartThreshold = multipartThreshold
        self.partSize = partSize
        self.requestTimeout = requestTimeout
        self.retryPolicy = retryPolicy
        self.payloadSigning = payloadSigning
        self.sendsChecksums = sendsChecksums
        self.verifiesUploads = verifiesUploads
    }

    /// AWS S3 in `region`, virtual-hosted (the AWS default).
    package static func aws(region: String, bucket: String, keyPrefix: String = "") -> S3Configuration {
        S3Configuration(endpoint: URL(string: "https://s3.\(region).amazonaws.com")!, region: region,
                        bucket: bucket, addressing: .virtualHosted, keyPrefix: keyPrefix)
    }

    /// Checks what would otherwise fail later with a confusing server error.
    package func validate() throws(S3Error) {
        guard let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = endpoint.host, !host.isEmpty
        else {
            throw .invalidConfiguration("the S3 endpoint \(endpoint.absoluteString) is not an http(s) URL with a host; "
                + "use e.g. https://s3.us-east-1.amazonaws.com or http://127.0.0.1:9000")
        }
        if !endpoint.path.isEmpty && endpoint.path != "/" {
            throw .invalidConfiguration("the S3 endpoint \(endpoint.absoluteString) has a path; give only scheme, host "
                + "and port, and put the bucket in the bucket setting")
        }
        if region.isEmpty { throw .invalidConfiguration("the S3 region is empty; use the bucket's region (e.g. us-east-1, or auto for R2)") }
        if bucket.isEmpty || bucket.contains("/") {
            throw .invalidConfiguration("the S3 bucket name '\(bucket)' is empty or contains '/'; give the bare bucket name")
        }
        if addressing == .virtualHosted && bucket.contains(".") && scheme == "https" {
            throw .invalidConfiguration("bucket '\(bucket)' contains dots, which break TLS with virtual-hosted addressing; "
                + "use path-style addressing")
        }
        if partSize < Self.minimumPartSize {
            throw .invalidConfiguration("multipart part size \(partSize) bytes is below S3's minimum of 5 MiB (\(Self.minimumPartSize) bytes)")
        }
        if multipartThreshold < 1 { throw .invalidConfiguration("multipart threshold must be positive") }
        if requestTimeout <= 0 { throw .invalidConfiguration("request timeout must be positive") }
    }
}
