import CSodium

/// Key material kept in memory that libsodium guards: `sodium_malloc` places it between guard
/// pages and locks it out of swap where the system allows, the page is made read-only once
/// filled, and `sodium_free` zeroes it when the last reference goes away.
///
/// It is `@unchecked Sendable` because it is immutable after `init` (the memory is even
/// write-protected), so concurrent reads cannot race.
public final class SecretBytes: @unchecked Sendable {
    private let pointer: UnsafeMutableRawPointer
    let count: Int

    /// Allocates `count` guarded bytes and lets `fill` write them once.
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        SodiumRuntime.ensureReady()
        precondition(count > 0, "SecretBytes needs at least one byte")
        guard let raw = sodium_malloc(count) else {
            fatalError("sodium_malloc(\(count)) failed: out of memory for key material")
        }
        pointer = raw
        self.count = count
        fill(UnsafeMutableRawBufferPointer(start: raw, count: count))
        _ = sodium_mprotect_readonly(raw)
    }

    convenience init(copying bytes: [UInt8]) {
        self.init(count: bytes.count) { buffer in
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        }
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// A typed pointer for the C APIs that take `const unsigned char *`.
    public func withKeyPointer<R>(_ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
        try body(pointer.assumingMemoryBound(to: UInt8.self))
    }

    /// A short-lived copy, only for encodings the redactor must know about.
    func copiedBytes() -> [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    deinit {
        sodium_free(pointer)
    }
}
