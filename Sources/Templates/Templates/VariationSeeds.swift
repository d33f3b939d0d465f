/// Derives the provider seeds of a batch of variations from one base seed.
///
/// Seed `i` is the `i`-th distinct value of a SplitMix64 stream seeded with the base seed, mapped to
/// 1...4_294_967_294: the range every shipped provider accepts (Stability's API takes a uint32 and reads 0 as
/// "random", so 0 is never produced, nor 2³²−1, which Stability v2 refuses). Drawing the top 32 bits and
/// skipping the two excluded values keeps the seeds uniform; skipping repeats keeps them distinct. A batch of
/// 4 has the same seeds as the first 4 of a batch of 16.
package enum VariationSeeds {
    package static let range: ClosedRange<UInt32> = 1...4_294_967_294

    package static func derive(baseSeed: UInt64, count: Int) -> [UInt32] {
        var random = SplitMix64(seed: baseSeed)
        var seeds: [UInt32] = []
        var seen = Set<UInt32>()
        while seeds.count < count {
            let candidate = UInt32(truncatingIfNeeded: random.next() >> 32)
            guard range.contains(candidate), seen.insert(candidate).inserted else { continue }
            seeds.append(candidate)
        }
        return seeds
    }
}
