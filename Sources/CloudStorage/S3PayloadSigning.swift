/// Whether request bodies are covered by the signature.
package enum S3PayloadSigning: String, Sendable, Hashable, Codable {
    /// The body's SHA-256 is signed; S3 rejects a body that differs (`XAmzContentSHA256Mismatch`).
    /// We hash every body anyway (for `x-amz-checksum-sha256`), so this costs nothing extra.
    case signed
    /// `UNSIGNED-PAYLOAD`: only sensible over HTTPS; the checksum header still protects the bytes.
    case unsigned
}
