import CSodium

/// HMAC-SHA256 (RFC 2104) by libsodium.
///
/// SigV4's key derivation and signature, webhook body signatures and the audit chain's entry MACs
/// all need exactly this, so it lives once here. libsodium's one-shot `crypto_auth_hmacsha256` takes
/// a fixed 32-byte key, but SigV4's first key (`"AWS4" + secret`) and webhook secrets have any length,
/// so this uses the `_init/_update/_final` form, which accepts any key length (and gives the same tag
/// for a 32-byte key). The state holds key-derived pads, so it is wiped before returning.
package enum HMACSHA256 {
    /// 32 bytes.
    package static let tagLength = Int(crypto_auth_hmacsha256_BYTES)

    package static func authenticate(key: [UInt8], message: [UInt8]) -> [UInt8] {
        key.withUnsafeBytes { k in message.withUnsafeBytes { m in authenticate(key: k, message: m) } }
    }

    package static func authenticate(key: [UInt8], message: String) -> [UInt8] {
        authenticate(key: key, message: Array(message.utf8))
    }

    /// Keyed by guarded key material, which is never copied out of its protected page.
    package static func authenticate(key: SecretBytes, message: [UInt8]) -> [UInt8] {
        key.withUnsafeBytes { k in message.withUnsafeBytes { m in authenticate(key: k, message: m) } }
    }

    private static func authenticate(key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        SodiumRuntime.ensureReady()
        var state = crypto_auth_hmacsha256_state()
        var tag = [UInt8](repeating: 0, count: tagLength)
        // An empty buffer may have no base address, but libsodium's pointer arguments are nonnull.
        let placeholder: UInt8 = 0
        withUnsafePointer(to: placeholder) { nonnull in
            _ = crypto_auth_hmacsha256_init(&state, key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? nonnull,
                                            key.count)
            _ = crypto_auth_hmacsha256_update(&state, message.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? nonnull,
                                              UInt64(message.count))
        }
        _ = crypto_auth_hmacsha256_final(&state, &tag)
        withUnsafeMutableBytes(of: &state) { sodium_memzero($0.baseAddress!, $0.count) }
        return tag
    }
}
