import Synchronization

/// A small Prometheus registry: declare counters, gauges and histograms once, update them from
/// any thread, and render the text exposition format 0.0.4 for `/metrics`.
///
/// Registering the same name again with the same type, help and labels returns the existing
/// family (so two components can declare a shared metric); anything else is refused.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[String: any MetricFamily]>([:])

    public init() {}

    public func counter(_ name: String, help: String, labels: [String] = []) throws(MetricsRegistryError) -> CounterMetric {
        try register(name: name, type: .counter, help: help, labels: labels, buckets: []) {
            CounterMetric(name: name, help: help, labelNames: labels)
        }
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) throws(MetricsRegistryError) -> GaugeMetric {
        try register(name: name, type: .gauge, help: help, labels: labels, buckets: []) {
            GaugeMetric(name: name, help: help, labelNames: labels)
        }
    }

    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double]) throws(MetricsRegistryError) -> HistogramMetric {
        guard !buckets.isEmpty else { throw .invalidBuckets(metric: name, reason: "give at least one upper bound") }
        guard buckets.allSatisfy(\.isFinite) else {
            throw .invalidBuckets(metric: name, reason: "bounds must be finite; +Inf is added automatically")
        }
        guard zip(buckets, buckets.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidBuckets(metric: name, reason: "bounds must be strictly increasing")
        }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            throw .invalidMetricName(name)
        }
        if labels.contains("le") { throw .invalidLabelName(metric: name, label: "le") }
        return try register(name: name, type: .histogram, help: help, labels: labels, buckets: buckets) {
            HistogramMetric(name: name, help: help, labelNames: labels, buckets: buckets)
        }
    }

    /// The whole registry in the text exposition format: families sorted by name, HELP and TYPE
    /// before each group, series sorted by label values, final newline included. Families with no
    /// series yet still show their HELP and TYPE.
    public func exposition() -> String {
        let all = families.withLock { Array($0.values) }.sorted { $0.name < $1.name }
        var out = ""
        for family in all {
            out += "# HELP \(family.name) \(PrometheusText.escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.type.rawValue)\n"
            out += family.renderSamples()
        }
        return out
    }

    private func register<F: MetricFamily>(name: String, type: PrometheusMetricType, help: String, labels: [String],
                                           buckets: [Double], make: () -> F) throws(MetricsRegistryError) -> F {
        guard PrometheusText.isValidMetricName(name) else { throw .invalidMetricName(name) }
        var seen = Set<String>()
        for label in labels {
            guard PrometheusText.isValidLabelName(label) else { throw .invalidLabelName(metric: name, label: label) }
            guard seen.insert(label).inserted else { throw .duplicateLabelName(metric: name, label: label) }
        }
        return try families.withLock { all throws(MetricsRegistryError) -> F in
            if let existing = all[name] {
                guard let same = existing as? F, existing.type == type, existing.help == help,
                      existing.labelNames == labels,
                      (existing as? HistogramMetric)?.buckets ?? [] == buckets else {
                    throw .conflictingRegistration(name)
                }
                return same
            }
            let family = make()
            let taken = Set(all.values.flatMap { [$0.name] + $0.exposedNames })
            guard taken.isDisjoint(with: [name] + family.exposedNames) else { throw .conflictingRegistration(name) }
            all[name] = family
            return family
        }
    }
}
