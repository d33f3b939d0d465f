/// A small seeded random number generator (SplitMix64, Steele, Lea & Flood 2014).
///
/// Used wherever a choice must be reproducible from a seed: variation seeds, placeholder combinations,
/// Thompson sampling and Monte Carlo statistics in tests. It is not for secrets (libsodium is). The
/// stream is fully specified here, so results do not change with the Swift standard library's internals.
package struct SplitMix64: RandomNumberGenerator, Sendable, Hashable, Codable {
    package private(set) var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A uniform double in [0, 1) from the top 53 bits of one draw.
    package mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform index in 0..<count (count > 0), by the multiply-high method: one draw, bias below 2⁻⁵⁹
    /// for the small counts used here, and independent of the standard library's algorithm.
    package mutating func nextIndex(below count: Int) -> Int {
        precondition(count > 0, "nextIndex(below:) needs a positive count")
        return Int(next().multipliedFullWidth(by: UInt64(count)).high)
    }

    /// An index drawn with the given probabilities (non-negative, summing to about 1).
    package mutating func nextIndex(weightedBy probabilities: [Double]) -> Int {
        let target = nextUnitDouble() * probabilities.reduce(0, +)
        var cumulative = 0.0
        for (index, probability) in probabilities.enumerated() {
            cumulative += probability
            if target < cumulative { return index }
        }
        return probabilities.lastIndex { $0 > 0 } ?? 0
    }
}
