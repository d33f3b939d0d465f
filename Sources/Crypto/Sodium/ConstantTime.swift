import CSodium

/// Byte comparison in constant time (libsodium `sodium_memcmp`).
///
/// Checking a MAC, signature or token digest with `==` returns at the first differing byte, so
/// the time taken tells an attacker how much of a forgery was right. Lengths are compared first:
/// they are public (fixed digest sizes, or a header's length) and `sodium_memcmp` needs equal ones.
public enum ConstantTime {
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        SodiumRuntime.ensureReady()
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in sodium_memcmp(pa.baseAddress!, pb.baseAddress!, a.count) == 0 }
        }
    }
}
