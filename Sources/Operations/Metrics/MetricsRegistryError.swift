/// Why a metric could not be registered. These are programming errors in the host's metric set,
/// reported with the name so the offending declaration is easy to find.
public enum MetricsRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidMetricName(String)
    case invalidLabelName(metric: String, label: String)
    case duplicateLabelName(metric: String, label: String)
    case conflictingRegistration(String)
    case invalidBuckets(metric: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidMetricName(name):
            return "metric name '\(name)' is not valid: use [a-zA-Z_][a-zA-Z0-9_]* (no colons), and no _bucket/_sum/_count suffix on a histogram"
        case let .invalidLabelName(metric, label):
            return "label '\(label)' of metric '\(metric)' is not valid: use [a-zA-Z_][a-zA-Z0-9_]*, not starting with '__' ('le' is reserved on histograms)"
        case let .duplicateLabelName(metric, label):
            return "label '\(label)' appears twice on metric '\(metric)'; list each label once"
        case let .conflictingRegistration(name):
            return "metric '\(name)' (or a series it exposes) is already registered with another type, help or labels; use one declaration"
        case let .invalidBuckets(metric, reason):
            return "histogram '\(metric)' buckets are not valid: \(reason)"
        }
    }
}
