import Foundation
import Synchronization
import Catalog
import HTTPServer
import ImagegenCore
import Operations
import PluginHost

/// `/metrics` for `imagegen serve`: the host's metric set (`HostMetrics`, shared with the
/// scheduler and alerts when they run in the same process) plus what only the server knows —
/// the process, the plugins folder, circuits per candidate, the HTTP server's own counters.
///
/// Values that live elsewhere are read at scrape time: jobs by state and generations by
/// model/provider/outcome from the catalog (so they include jobs run before a restart or by
/// another process), circuits from the `HealthBoard`, budgets from the ledger.
package final class ServerMetrics: Sendable {
    package let host: HostMetrics
    package let startedAt = Date()
    let up: GaugeMetric
    let startTime: GaugeMetric
    let residentMemory: GaugeMetric
    let cpuSeconds: CounterMetric
    let openDescriptors: GaugeMetric
    let jobsInFlight: GaugeMetric
    let circuitState: GaugeMetric
    let circuitFailures: GaugeMetric
    let pluginFiles: GaugeMetric
    let pluginGeneration: GaugeMetric
    let pluginChanges: CounterMetric
    let httpRejected: CounterMetric
    let httpTimeouts: CounterMetric
    let httpConnectionsOpen: GaugeMetric
    let httpConnectionsAccepted: CounterMetric
    /// Last values seen for counters whose source of truth is elsewhere (catalog, kernel, HTTP server).
    private let lastSeen = Mutex<[String: Double]>([:])

    package init(host: HostMetrics) throws(MetricsRegistryError) {
        self.host = host
        let r = host.registry
        up = try r.gauge("imagegen_up", help: "1 while imagegen serve runs, 0 once it shuts down.")
        startTime = try r.gauge("process_start_time_seconds", help: "Start time of the process since the Unix epoch in seconds.")
        residentMemory = try r.gauge("process_resident_memory_bytes", help: "Resident memory size in bytes.")
        cpuSeconds = try r.counter("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.")
        openDescriptors = try r.gauge("process_open_fds", help: "Number of open file descriptors.")
        jobsInFlight = try r.gauge("imagegen_jobs_in_flight", help: "Jobs this server's runner works on now.")
        circuitState = try r.gauge("imagegen_circuit_state", help: "Circuit breaker state per candidate: 1 for the current state.",
                                   labels: ["candidate", "plugin", "state"])
        circuitFailures = try r.gauge("imagegen_circuit_consecutive_failures", help: "Consecutive failures per candidate.",
                                      labels: ["candidate", "plugin"])
        pluginFiles = try r.gauge("imagegen_plugin_files", help: "Plugin files in the folder by status.", labels: ["status"])
        pluginGeneration = try r.gauge("imagegen_plugin_generation", help: "Current generation number per loaded plugin.",
                                       labels: ["plugin"])
        pluginChanges = try r.counter("imagegen_plugin_changes_total", help: "Plugin folder changes applied, by kind.",
                                      labels: ["kind"])
        httpRejected = try r.counter("imagegen_http_requests_rejected_total",
                                     help: "Requests the HTTP server answered before routing (malformed, too large, unauthorized).",
                                     labels: ["reason"])
        httpTimeouts = try r.counter("imagegen_http_timeouts_total", help: "Connections closed by a header, body, idle or write deadline.")
        httpConnectionsOpen = try r.gauge("imagegen_http_connections_open", help: "Open HTTP connections.")
        httpConnectionsAccepted = try r.counter("imagegen_http_connections_accepted_total", help: "HTTP connections accepted.")
        up.set(1)
        startTime.set(startedAt.timeIntervalSince1970.rounded())
        for kind in ["loaded", "swapped", "refused", "removed"] { pluginChanges.increment(by: 0, labels: ["kind": kind]) }
    }

    /// A registry of its own (tests, or a server without scheduler and alerts).
    package convenience init() throws(MetricsRegistryError) {
        try self.init(host: HostMetrics(version: ServerMetrics.version))
    }

    package static let version = "0.1.0"

    func recordRequest(route: String, code: Int, seconds: Double) {
        host.recordHTTP(route: route, code: code, durationSeconds: seconds)
    }

    func recordPluginChanges(_ changes: [PluginSet.Change]) {
        for change in changes { pluginChanges.increment(labels: ["kind": PluginChangeReport(change).kind]) }
    }

    /// What a scrape reads besides the counters kept here.
    struct Scrape {
        var jobCounts: [JobCount]
        var circuits: [CircuitView]
        var plugins: [PluginRecord]
        var budgets: [BudgetStatus]
        var http: HTTPServerStatistics?
        var runnerInFlight: Int
        var draining: Bool
    }

    /// False when something else (the operations loop) counts finished generations into the
    /// same registry: counting them here too would double them.
    nonisolated(unsafe) var countsGenerationsFromCatalog = true

    /// Brings every scrape-time value up to date and renders the registry (text format 0.0.4).
    func render(_ s: Scrape) -> String {
        up.set(s.draining ? 0 : 1)
        let process = ProcessStatistics.current()
        residentMemory.set(Double(process.residentBytes))
        openDescriptors.set(Double(process.openDescriptors))
        advance(cpuSeconds, [:], to: process.cpuSeconds)

        var byState: [JobState: Int] = [:]
        for c in s.jobCounts { byState[c.state, default: 0] += c.count }
        host.jobs.replaceAll(JobState.allCases.map { (["state": $0.rawValue], Double(byState[$0] ?? 0)) })
        for c in s.jobCounts where c.state.isTerminal && countsGenerationsFromCatalog {
            advance(host.generations, ["model": c.model, "provider": c.plugin.isEmpty ? "none" : c.plugin, "status": c.state.rawValue],
                    to: Double(c.count))
        }
        jobsInFlight.set(Double(s.runnerInFlight))

        circuitState.replaceAll(s.circuits.flatMap { c in
            ["closed", "half_open", "open"].map { (["candidate": c.candidate, "plugin": c.plugin, "state": $0], c.state == $0 ? 1.0 : 0.0) }
        })
        circuitFailures.replaceAll(s.circuits.map { (["candidate": $0.candidate, "plugin": $0.plugin], Double($0.consecutiveFailures)) })
        host.circuitOpen.replaceAll(s.circuits.flatMap { c in
            c.models.map { (["provider": c.plugin, "model": $0], c.state == "open" ? 1.0 : 0.0) }
        })

        pluginFiles.replaceAll([(["status": "loaded"], Double(s.plugins.filter { $0.generation != nil }.count)),
                                (["status": "refused"], Double(s.plugins.filter { $0.error != nil }.count))])
        pluginGeneration.replaceAll(s.plugins.compactMap { p in
            guard let id = p.id, let g = p.generation else { return nil }
            return (["plugin": id], Double(g))
        })
        host.update(budgets: s.budgets)

        if let http = s.http {
            advance(httpRejected, ["reason": "protocol"], to: Double(http.requestsRejected))
            advance(httpRejected, ["reason": "unauthorized"], to: Double(http.requestsUnauthorized))
            advance(httpTimeouts, [:], to: Double(http.timeouts))
            httpConnectionsOpen.set(Double(http.connectionsOpen))
            advance(httpConnectionsAccepted, [:], to: Double(http.connectionsAccepted))
        }
        return host.registry.exposition()
    }

    /// Moves a counter up to a total read from its source (never down).
    private func advance(_ counter: CounterMetric, _ labels: [String: String], to total: Double) {
        let key = counter.name + labels.sorted { $0.key < $1.key }.map { "|\($0.key)=\($0.value)" }.joined()
        let delta = lastSeen.withLock { seen -> Double in
            let previous = seen[key] ?? 0
            guard total > previous else { return 0 }
            seen[key] = total
            return total - previous
        }
        if delta > 0 { counter.increment(by: delta, labels: labels) } else { counter.increment(by: 0, labels: labels) }
    }
}
