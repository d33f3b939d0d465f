import CSodium
import Crypto

/// The two primitives the audit chain needs, from libsodium: SHA-256 of a stored line (the
/// link to the previous entry) and HMAC-SHA256 of an entry's canonical bytes.
package enum AuditDigest {
    /// `prev_hash` of the first entry: no previous line.
    static let genesis = String(repeating: "0", count: 64)

    package static func lineHash(_ line: some Collection<UInt8>) -> String {
        SodiumRuntime.ensureReady()
        let bytes = Array(line)
        var digest = [UInt8](repeating: 0, count: 32)
        _ = crypto_hash_sha256(&digest, bytes, UInt64(bytes.count))
        return SodiumEncoding.hex(digest)
    }

    static func mac(_ message: [UInt8], key: MasterKey) -> [UInt8] {
        SodiumRuntime.ensureReady()
        var tag = [UInt8](repeating: 0, count: 32)
        key.auditKey.withKeyPointer { k in
            _ = crypto_auth_hmacsha256(&tag, message, UInt64(message.count), k)
        }
        return tag
    }

    static func verify(mac hex: String, over message: [UInt8], key: MasterKey) -> Bool {
        guard let given = SodiumEncoding.decodeHex(hex), given.count == 32 else { return false }
        return SodiumRuntime.constantTimeEqual(given, mac(message, key: key))
    }
}
