import Synchronization

/// A gauge family: a value that goes up and down, one series per label set.
public final class GaugeMetric: MetricFamily {
    public let name: String
    public let help: String
    public let labelNames: [String]
    let type = PrometheusMetricType.gauge
    var exposedNames: [String] { [name] }
    private let series = Mutex<[[String]: Double]>([:])

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
    }

    public func set(_ value: Double, labels: [String: String] = [:]) {
        let key = values(for: labels)
        series.withLock { $0[key] = value }
    }

    public func increment(by amount: Double = 1, labels: [String: String] = [:]) {
        let key = values(for: labels)
        series.withLock { $0[key, default: 0] += amount }
    }

    public func decrement(by amount: Double = 1, labels: [String: String] = [:]) {
        increment(by: -amount, labels: labels)
    }

    /// Replaces every series at once: for gauges computed from a snapshot (budgets, active alerts),
    /// so a label set that disappeared from the snapshot stops being exposed.
    public func replaceAll(_ values: [([String: String], Double)]) {
        let fresh = Dictionary(values.map { (self.values(for: $0.0), $0.1) }, uniquingKeysWith: { _, last in last })
        series.withLock { $0 = fresh }
    }

    /// The current value of one series, nil when it was never set.
    public func value(labels: [String: String] = [:]) -> Double? {
        let key = values(for: labels)
        return series.withLock { $0[key] }
    }

    func renderSamples() -> String {
        let snapshot = series.withLock { $0 }
        return snapshot.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { key in
            "\(name)\(PrometheusText.labelSet(labelNames, key)) \(PrometheusText.formatValue(snapshot[key]!))\n"
        }.joined()
    }
}
