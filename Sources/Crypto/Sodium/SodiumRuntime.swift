import CSodium

/// The one owner of libsodium's process-wide initialisation.
///
/// libsodium must be initialised once before any other call (it picks the fastest implementations
/// and seeds its random generator). Every libsodium call in the host lives in this target and
/// passes through `ensureReady()`, so no caller can forget it; a `static let` runs `sodium_init`
/// exactly once, thread-safely.
///
/// The host calls `prepare()` when it starts, so a libsodium that cannot initialise stops it there
/// with a clear message instead of failing half-way through a job. `ensureReady()` is the backstop
/// for code that runs without that start (tests, library users that skipped `ImageGenerator`).
package enum SodiumRuntime {
    /// `sodium_init`'s result: 0 first time, 1 if something else already initialised it, -1 failure.
    private static let status: Int32 = sodium_init()

    /// Initialises libsodium, or says why it cannot; call once at start-up.
    package static func prepare() throws(SodiumUnavailable) {
        guard status >= 0 else { throw SodiumUnavailable(status: status) }
    }

    /// Makes sure libsodium is initialised before a call into it. This is the only place the host
    /// traps on libsodium's start: a process that got here without `prepare()` cannot hash, sign or
    /// encrypt, and continuing would store unsigned or unencrypted data.
    package static func ensureReady() {
        precondition(status >= 0, SodiumUnavailable(status: status).description)
    }

    /// `count` cryptographically secure random bytes from libsodium's generator.
    static func randomBytes(_ count: Int) -> [UInt8] {
        ensureReady()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return bytes
    }

    /// Overwrites a buffer that held secret material before it is released (best effort: Swift
    /// may already have copied the array, which is why long-lived keys live in `SecretBytes`).
    package static func wipe(_ bytes: inout [UInt8]) {
        let count = bytes.count
        guard count > 0 else { return }
        bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress!, count) }
    }
}
