/// A named metric with its label names, as the registry stores and renders it.
protocol MetricFamily: AnyObject, Sendable {
    var name: String { get }
    var help: String { get }
    var type: PrometheusMetricType { get }
    var labelNames: [String] { get }
    /// Extra series names this family writes (a histogram's `_bucket`, `_sum`, `_count`).
    var exposedNames: [String] { get }
    /// The sample lines (without HELP/TYPE), each ending in "\n".
    func renderSamples() -> String
}

extension MetricFamily {
    /// Values for each label name, in order; names not given read as "" (the same as no label).
    func values(for labels: [String: String]) -> [String] {
        labelNames.map { labels[$0] ?? "" }
    }
}
