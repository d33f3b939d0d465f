/// The Prometheus metric types this registry exposes.
package enum PrometheusMetricType: String, Sendable, Hashable {
    case counter, gauge, histogram
}
