import CSodium

/// libsodium must be initialised once per process before any of its functions is called
/// (it picks the fastest implementations and seeds its random generator).
///
/// Swift runs a `static let` initialiser exactly once, thread-safely, so every entry point in
/// this folder calls `SodiumRuntime.ensureReady()` first instead of relying on the program's
/// start-up code to remember it.
package enum SodiumRuntime {
    private static let initialised: Bool = sodium_init() >= 0

    package static func ensureReady() {
        precondition(initialised, "libsodium failed to initialise (sodium_init returned -1)")
    }

    /// `count` cryptographically secure random bytes from libsodium's generator.
    static func randomBytes(_ count: Int) -> [UInt8] {
        ensureReady()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return bytes
    }

    /// Compares two byte strings in constant time, so a MAC check leaks nothing through timing.
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in sodium_memcmp(pa.baseAddress!, pb.baseAddress!, a.count) == 0 }
        }
    }

    /// Overwrites a buffer that held secret material before it is released (best effort: Swift
    /// may already have copied the array, which is why long-lived keys live in `SecretBytes`).
    package static func wipe(_ bytes: inout [UInt8]) {
        let count = bytes.count
        guard count > 0 else { return }
        bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress!, count) }
    }
}
