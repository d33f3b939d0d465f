import CSodium
import Crypto

/// HMAC-SHA256 by libsodium, for SigV4's signing-key derivation and signature.
///
/// SigV4's first key (`"AWS4" + secret`) is longer than libsodium's fixed 32-byte
/// `crypto_auth_hmacsha256` key, so we use the `_init/_update/_final` form, which accepts any key length.
enum HMACSHA256 {
    static func authenticate(key: [UInt8], message: [UInt8]) -> [UInt8] {
        SodiumLibrary.ensureInitialised()
        var state = crypto_auth_hmacsha256_state()
        var out = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        key.withUnsafeBufferPointer { k in
            // A zero-length key has no base address; libsodium's argument is nonnull.
            var empty: UInt8 = 0
            if let base = k.baseAddress {
                crypto_auth_hmacsha256_init(&state, base, k.count)
            } else {
                crypto_auth_hmacsha256_init(&state, &empty, 0)
            }
        }
        message.withUnsafeBufferPointer { m in
            if let base = m.baseAddress {
                crypto_auth_hmacsha256_update(&state, base, UInt64(m.count))
            }
        }
        crypto_auth_hmacsha256_final(&state, &out)
        return out
    }

    static func authenticate(key: [UInt8], message: String) -> [UInt8] {
        authenticate(key: key, message: Array(message.utf8))
    }
}
