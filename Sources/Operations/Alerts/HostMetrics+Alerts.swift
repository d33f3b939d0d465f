import Catalog
extension HostMetrics {
    /// Exposes the firing alerts as `imagegen_alerts{alertname,state="firing"}` (count per rule),
    /// so an external Prometheus sees the same state (reference §7.6).
    package func update(activeAlerts: [Alert]) {
        let counts = Dictionary(grouping: activeAlerts, by: \.rule).mapValues { Double($0.count) }
        alerts.replaceAll(counts.map { (["alertname": $0.key, "state": "firing"], $0.value) })
    }
}
