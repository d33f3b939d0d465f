import Synchronization

/// A histogram family: cumulative buckets, `_sum` and `_count` per label set (reference §3).
public final class HistogramMetric: MetricFamily {
    public let name: String
    public let help: String
    public let labelNames: [String]
    /// Upper bounds in increasing order, without `+Inf` (always added on output).
    public let buckets: [Double]
    let type = PrometheusMetricType.histogram
    var exposedNames: [String] { [name + "_bucket", name + "_sum", name + "_count"] }

    private struct Series {
        var counts: [UInt64]  // per bucket, not cumulative; last slot is +Inf
        var sum: Double = 0
        var count: UInt64 = 0
    }
    private let series = Mutex<[[String]: Series]>([:])

    /// Buckets for image generation (seconds to minutes), from reference §3.
    public static let generationSecondsBuckets: [Double] = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300]
    /// client_golang's `DefBuckets`, tuned for web request latency.
    public static let httpSecondsBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    init(name: String, help: String, labelNames: [String], buckets: [Double]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.buckets = buckets
    }

    /// Records one observation. NaN is ignored (it would poison `_sum`).
    public func observe(_ value: Double, labels: [String: String] = [:]) {
        guard !value.isNaN else { return }
        let key = values(for: labels)
        let index = buckets.firstIndex { value <= $0 } ?? buckets.count
        let slots = buckets.count + 1
        series.withLock { all in
            var s = all[key] ?? Series(counts: Array(repeating: 0, count: slots))
            s.counts[index] += 1
            s.sum += value
            s.count += 1
            all[key] = s
        }
    }

    /// (count, sum) of one series, for tests and the CLI.
    public func snapshot(labels: [String: String] = [:]) -> (count: UInt64, sum: Double) {
        let key = values(for: labels)
        return series.withLock { all in all[key].map { ($0.count, $0.sum) } ?? (0, 0) }
    }

    func renderSamples() -> String {
        let snapshot = series.withLock { $0 }
        var out = ""
        for key in snapshot.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let s = snapshot[key]!
            var cumulative: UInt64 = 0
            for (i, bound) in buckets.enumerated() {
                cumulative += s.counts[i]
                out += "\(name)_bucket\(PrometheusText.labelSet(labelNames, key, extra: ("le", PrometheusText.formatValue(bound)))) \(cumulative)\n"
            }
            out += "\(name)_bucket\(PrometheusText.labelSet(labelNames, key, extra: ("le", "+Inf"))) \(s.count)\n"
            let labels = PrometheusText.labelSet(labelNames, key)
            out += "\(name)_sum\(labels) \(PrometheusText.formatValue(s.sum))\n"
            out += "\(name)_count\(labels) \(s.count)\n"
        }
        return out
    }
}
