import Synchronization

/// A monotonically increasing counter family (`_total` names), one series per label set.
public final class CounterMetric: MetricFamily {
    public let name: String
    public let help: String
    public let labelNames: [String]
    let type = PrometheusMetricType.counter
    var exposedNames: [String] { [name] }
    private let series = Mutex<[[String]: Double]>([:])

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
    }

    /// Adds `amount` to the series of `labels`. Counters never go down: a negative or NaN amount is
    /// refused (returns false) and the counter stays as it was.
    @discardableResult
    public func increment(by amount: Double = 1, labels: [String: String] = [:]) -> Bool {
        guard amount >= 0, amount.isFinite else { return false }
        let key = values(for: labels)
        series.withLock { $0[key, default: 0] += amount }
        return true
    }

    /// The current value of one series (0 when never incremented).
    public func value(labels: [String: String] = [:]) -> Double {
        let key = values(for: labels)
        return series.withLock { $0[key] ?? 0 }
    }

    func renderSamples() -> String {
        let snapshot = series.withLock { $0 }
        return snapshot.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            "\(name)\(PrometheusText.labelSet(labelNames, key)) \(PrometheusText.formatValue(snapshot[key]!))\n"
        }.joined()
    }
}
