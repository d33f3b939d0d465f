import Crypto
import Foundation

/// Deterministic pseudo-random numbers derived from an occurrence key.
///
/// A slot's count range and template rotation must come out the same every time the same
/// occurrence is planned (after a restart, on another replica), so they are seeded by the key,
/// hashed with libsodium's BLAKE2b (`GenericHash`) rather than a hand-written hash.
public struct OccurrenceSeed: Sendable, Hashable {
    /// Picks the count within a range.
    public let first: UInt64
    /// Picks the starting template of a template set.
    public let second: UInt64

    public init(key: String) {
        let digest = GenericHash.hash(Array(key.utf8), length: 16)
        func word(_ range: Range<Int>) -> UInt64 {
            digest[range].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        }
        first = word(0..<8)
        second = word(8..<16)
    }
}
