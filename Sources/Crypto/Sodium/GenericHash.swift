import CSodium

/// BLAKE2b (libsodium `crypto_generichash`): the host's hash wherever no outside format dictates
/// SHA-256.
///
/// Plugin file identities, bearer-token digests and occurrence seeds only need a collision-resistant
/// fingerprint, and BLAKE2b is several times faster than libsodium's SHA-256 on a multi-MB plugin.
/// Keyed, it is a MAC in one pass, which key ids and prompt search tokens use so nobody without the
/// key can compute them. One wrapper keeps the pointer handling and length limits in one place.
package enum GenericHash {
    /// The digest lengths libsodium accepts (16...64 bytes).
    package static let lengths = Int(crypto_generichash_BYTES_MIN)...Int(crypto_generichash_BYTES_MAX)

    /// The `length`-byte BLAKE2b digest of `message`, keyed by `key` when one is given.
    package static func hash(_ message: [UInt8], length: Int = 32, key: SecretBytes? = nil) -> [UInt8] {
        precondition(lengths.contains(length), "BLAKE2b digest length \(length) is outside \(lengths)")
        SodiumRuntime.ensureReady()
        var digest = [UInt8](repeating: 0, count: length)
        message.withUnsafeBufferPointer { m in
            if let key {
                key.withUnsafeBytes { k in
                    _ = crypto_generichash(&digest, length, m.baseAddress, UInt64(m.count),
                                           k.baseAddress?.assumingMemoryBound(to: UInt8.self), k.count)
                }
            } else {
                _ = crypto_generichash(&digest, length, m.baseAddress, UInt64(m.count), nil, 0)
            }
        }
        return digest
    }
}
