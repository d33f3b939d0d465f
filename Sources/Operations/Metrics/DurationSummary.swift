/// Mean and percentiles of a set of durations (seconds).
package struct DurationSummary: Sendable, Hashable, Codable {
    package let count: Int
    package let mean: Double
    /// Nearest-rank percentiles (see `Percentile`).
    package let p50: Double
    package let p95: Double
    package let max: Double

    /// Nil when there are no samples.
    package init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        p50 = Percentile.nearestRank(sorted, percent: 50)!
        p95 = Percentile.nearestRank(sorted, percent: 95)!
        max = sorted.last!
    }
}
