import Foundation
import Crypto

/// What the last line of the canonical request (and, for S3, `x-amz-content-sha256`) says about the body.
public enum SigV4Payload: Sendable, Hashable {
    /// The body is signed: its SHA-256 is computed from these bytes.
    case bytes(Data)
    /// The body is signed and its SHA-256 is already known (e.g. hashed while reading a file).
    case sha256(SHA256Digest)
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature (presigned URLs always use this;
    /// over HTTPS it lets a caller stream without hashing first).
    case unsigned
    /// Any other literal S3 accepts, e.g. `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`.
    case literal(String)

    /// An empty body (GET, HEAD, DELETE).
    public static let empty = SigV4Payload.bytes(Data())

    /// The hashed-payload line.
    public var hashedPayload: String {
        switch self {
        case .bytes(let data): return SHA256Digest.of(data).hex
        case .sha256(let digest): return digest.hex
        case .unsigned: return "UNSIGNED-PAYLOAD"
        case .literal(let text): return text
        }
    }
}
