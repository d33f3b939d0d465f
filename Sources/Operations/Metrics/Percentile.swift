/// Percentiles by the nearest-rank method, chosen because it is easy to check by hand and always
/// returns an observed value: the p-th percentile of n sorted values is the value at 1-based rank
/// ⌈p·n/100⌉ (rank 1 when that is 0).
///
/// Examples: p50 of [1, 2, 3, 4] is 2 (rank 2); p95 of 1…20 is 19 (rank 19); p95 of 1…10 is 10.
package enum Percentile {
    /// `percent` in 1…100; `sorted` ascending. Nil for an empty list.
    package static func nearestRank(_ sorted: [Double], percent: Int) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let p = min(max(percent, 0), 100)
        let rank = (p * sorted.count + 99) / 100  // integer ceiling, exact
        return sorted[max(rank, 1) - 1]
    }
}
