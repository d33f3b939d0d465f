import Crypto

/// The two primitives the audit chain needs, from the Crypto target: SHA-256 of a stored line
/// (the link to the previous entry) and HMAC-SHA256 of an entry's canonical bytes.
package enum AuditDigest {
    /// `prev_hash` of the first entry: no previous line.
    static let genesis = String(repeating: "0", count: 64)

    package static func lineHash(_ line: some Collection<UInt8>) -> String {
        SHA256Digest.of(Array(line)).hex
    }

    static func mac(_ message: [UInt8], key: MasterKey) -> [UInt8] {
        // The audit key is 32 bytes, so this equals libsodium's one-shot `crypto_auth_hmacsha256`.
        HMACSHA256.authenticate(key: key.auditKey, message: message)
    }

    static func verify(mac hex: String, over message: [UInt8], key: MasterKey) -> Bool {
        guard let given = SodiumEncoding.decodeHex(hex), given.count == 32 else { return false }
        return ConstantTime.equal(given, mac(message, key: key))
    }
}
