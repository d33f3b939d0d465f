/// How the bucket appears in request URLs (reference/s3-sigv4.md §4).
package enum S3AddressingStyle: String, Sendable, Hashable, Codable {
    /// `https://endpoint/<bucket>/<key>` — what local and most S3-compatible servers (MinIO, moto,
    /// Ceph, R2 with a custom endpoint) expect, and the only style that works with dotted bucket names
    /// over TLS.
    case path
    /// `https://<bucket>.endpoint/<key>` — the AWS default.
    case virtualHosted
}
