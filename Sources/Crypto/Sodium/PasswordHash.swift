import CSodium

/// Password hashing with Argon2id (libsodium `crypto_pwhash_str`): the self-describing string
/// (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) is what the catalog stores, never the password.
///
/// Interactive limits (64 MiB, 2 passes): about a tenth of a second per hash, which makes
/// guessing expensive while a login stays quick. Callers run it off the cooperative pool.
package enum PasswordHash {
    /// Passwords longer than this are refused rather than silently cut (Argon2 takes any length,
    /// but a megabyte "password" is a denial-of-service vector).
    package static let maxPasswordBytes = 1024

    /// The hash string of `password`; nil only when libsodium runs out of memory.
    package static func hash(_ password: String) -> String? {
        SodiumRuntime.ensureReady()
        var out = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
        var bytes = Array(password.utf8)
        defer { SodiumRuntime.wipe(&bytes) }
        let status = bytes.withUnsafeBufferPointer { p in
            p.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: p.count) {
                    crypto_pwhash_str_alg(&out, $0, UInt64(p.count), UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE),
                                          Int(crypto_pwhash_MEMLIMIT_INTERACTIVE), crypto_pwhash_ALG_ARGON2ID13)
                }
            } ?? crypto_pwhash_str_alg(&out, "", 0, UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE),
                                       Int(crypto_pwhash_MEMLIMIT_INTERACTIVE), crypto_pwhash_ALG_ARGON2ID13)
        }
        guard status == 0 else { return nil }
        return String(cString: out)
    }

    /// Whether `password` matches `stored` (a string from `hash`); false for a malformed one.
    package static func verify(_ password: String, against stored: String) -> Bool {
        SodiumRuntime.ensureReady()
        var bytes = Array(password.utf8)
        defer { SodiumRuntime.wipe(&bytes) }
        return stored.withCString { s in
            bytes.withUnsafeBufferPointer { p in
                p.baseAddress.map { base in
                    base.withMemoryRebound(to: CChar.self, capacity: p.count) { crypto_pwhash_str_verify(s, $0, UInt64(p.count)) }
                } ?? crypto_pwhash_str_verify(s, "", 0)
            }
        } == 0
    }
}

/// Random bytes for session tokens and ids (libsodium's generator).
package enum SecureRandom {
    package static func bytes(_ count: Int) -> [UInt8] { SodiumRuntime.randomBytes(count) }

    /// `count` random bytes as lower-case hex.
    package static func hex(_ count: Int) -> String {
        SodiumEncoding.hex(bytes(count))
    }
}
