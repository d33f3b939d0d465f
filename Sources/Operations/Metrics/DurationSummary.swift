/// Mean and percentiles of a set of durations (seconds).
public struct DurationSummary: Sendable, Hashable, Codable {
    public let count: Int
    public let mean: Double
    /// Nearest-rank percentiles (see `Percentile`).
    public let p50: Double
    public let p95: Double
    public let max: Double

    /// Nil when there are no samples.
    public init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        p50 = Percentile.nearestRank(sorted, percent: 50)!
        p95 = Percentile.nearestRank(sorted, percent: 95)!
        max = sorted.last!
    }
}
