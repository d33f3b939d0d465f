/// The Prometheus metric types this registry exposes.
public enum PrometheusMetricType: String, Sendable, Hashable {
    case counter, gauge, histogram
}
