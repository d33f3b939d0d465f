import CSodium
import Foundation

/// A SHA-256 digest computed by libsodium (`crypto_hash_sha256`).
///
/// Used wherever an outside format or a stored value fixes the hash: S3 (SigV4, checksums), the
/// audit chain's line links and template versions (stored, so their output must never change).
///
/// S3 needs SHA-256 three ways: lower-case hex for SigV4's `x-amz-content-sha256` and string to sign,
/// base64 for the `x-amz-checksum-sha256` integrity header, and raw bytes to build a multipart
/// upload's composite checksum. One value type carries the 32 bytes and renders each form, so
/// callers never re-hash to change representation. We never hand-write the hash itself.
public struct SHA256Digest: Sendable, Hashable, CustomStringConvertible {
    /// The 32 raw digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 digest bytes computed elsewhere (e.g. parsed from a stored record).
    public init?(bytes: [UInt8]) {
        guard bytes.count == Int(crypto_hash_sha256_BYTES) else { return nil }
        self.bytes = bytes
    }

    /// Parses the lower- or upper-case hex form (64 characters).
    public init?(hex: String) {
        guard hex.utf8.count == 64, let out = SodiumEncoding.decodeHex(hex), out.count == 32 else { return nil }
        self.bytes = out
    }

    /// Parses the standard (padded) base64 form used by `x-amz-checksum-sha256`.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64), data.count == 32 else { return nil }
        self.bytes = [UInt8](data)
    }

    /// SHA-256 of a byte buffer in one call.
    public static func of(_ data: some DataProtocol) -> SHA256Digest {
        var hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalize()
    }

    /// SHA-256 of a string's UTF-8 bytes (canonical requests are hashed this way).
    public static func of(utf8 string: String) -> SHA256Digest {
        var hasher = SHA256Hasher()
        hasher.update(Array(string.utf8))
        return hasher.finalize()
    }

    /// Lower-case hex, as SigV4 requires.
    public var hex: String { SodiumEncoding.hex(bytes) }

    /// Standard padded base64, as the `x-amz-checksum-sha256` header requires.
    public var base64: String { Data(bytes).base64EncodedString() }

    public var description: String { hex }
}

/// An incremental SHA-256 (libsodium `crypto_hash_sha256_init/update/final`), so a large local
/// file can be hashed in bounded memory before it is uploaded.
public struct SHA256Hasher: Sendable {
    private var state = crypto_hash_sha256_state()

    public init() {
        SodiumRuntime.ensureReady()
        crypto_hash_sha256_init(&state)
    }

    public mutating func update(_ data: some DataProtocol) {
        for region in data.regions {
            region.withUnsafeBytes { raw in
                guard let base = raw.baseAddress, raw.count > 0 else { return }
                _ = crypto_hash_sha256_update(&state, base.assumingMemoryBound(to: UInt8.self),
                                              UInt64(raw.count))
            }
        }
    }

    /// Finishes the hash. The hasher must not be used afterwards.
    public mutating func finalize() -> SHA256Digest {
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        crypto_hash_sha256_final(&state, &out)
        return SHA256Digest(bytes: out)!
    }
}
