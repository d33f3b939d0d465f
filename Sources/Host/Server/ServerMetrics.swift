import Foundation
import Synchronization

/// The server's own counters (HTTP requests by route and code, plugin-folder changes) and the
/// `/metrics` exposition that combines them with what the host knows at scrape time: jobs by
/// state, generations by model/plugin/outcome (from the catalog), circuits per candidate,
/// plugins, the HTTP server's statistics and the process.
///
/// This is the minimal exposition the server needs; the ops module's `MetricsRegistry` can
/// take over `render` without changing the endpoint.
public final class ServerMetrics: Sendable {
    struct RequestKey: Hashable {
        var route: String
        var method: String
        var code: Int
    }

    private let requests = Mutex<[RequestKey: Int]>([:])
    private let pluginChanges = Mutex<[String: Int]>([:])
    public let startedAt = Date()

    public init() {}

    func recordRequest(route: String, method: String, code: Int) {
        requests.withLock { $0[RequestKey(route: route, method: method, code: code), default: 0] += 1 }
    }

    func recordPluginChanges(_ changes: [PluginSet.Change]) {
        pluginChanges.withLock { counts in
            for change in changes { counts[PluginChangeReport(change).kind, default: 0] += 1 }
        }
    }

    /// HTTP requests handled so far for one route (tests and the benchmark read it).
    func requestCount(route: String, code: Int? = nil) -> Int {
        requests.withLock { r in r.filter { $0.key.route == route && (code == nil || $0.key.code == code) }.values.reduce(0, +) }
    }

    /// What a scrape sees besides the counters kept here.
    struct Scrape {
        var jobCounts: [JobCount]
        var circuits: [CircuitView]
        var plugins: [PluginRecord]
        var http: HTTPServerStatistics?
        var runnerInFlight: Int
        var draining: Bool
    }

    func render(_ scrape: Scrape) -> String {
        var w = PrometheusTextWriter()
        w.family("imagegen_up", "gauge", "1 while imagegen serve runs (0 while it shuts down).")
        w.sample("imagegen_up", scrape.draining ? 0 : 1)
        w.family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.")
        w.sample("process_start_time_seconds", startedAt.timeIntervalSince1970.rounded())
        let process = ProcessStatistics.current()
        w.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
        w.sample("process_resident_memory_bytes", Double(process.residentBytes))
        w.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
        w.sample("process_cpu_seconds_total", process.cpuSeconds)
        w.family("process_open_fds", "gauge", "Number of open file descriptors.")
        w.sample("process_open_fds", Double(process.openDescriptors))

        // Jobs by state (every state, zeros included, so a dashboard sees the series).
        var byState: [JobState: Int] = [:]
        for c in scrape.jobCounts { byState[c.state, default: 0] += c.count }
        w.family("imagegen_jobs", "gauge", "Jobs in the catalog by state.")
        for state in JobState.allCases {
            w.sample("imagegen_jobs", ["state": state.rawValue], Double(byState[state] ?? 0))
        }
        w.family("imagegen_generations_total", "counter", "Finished jobs by model, plugin and outcome.")
        for c in scrape.jobCounts.filter({ $0.state.isTerminal }).sorted(by: { ($0.model, $0.plugin, $0.state.rawValue) < ($1.model, $1.plugin, $1.state.rawValue) }) {
            w.sample("imagegen_generations_total", ["model": c.model, "plugin": c.plugin, "status": c.state.rawValue], Double(c.count))
        }
        w.family("imagegen_jobs_in_flight", "gauge", "Jobs this server's runner is working on now.")
        w.sample("imagegen_jobs_in_flight", Double(scrape.runnerInFlight))

        w.family("imagegen_circuit_state", "gauge", "Circuit breaker state per candidate (1 for the current state).")
        for c in scrape.circuits {
            for state in ["closed", "half_open", "open"] {
                w.sample("imagegen_circuit_state", ["candidate": c.candidate, "plugin": c.plugin, "state": state],
                         c.state == state ? 1 : 0)
            }
        }
        w.family("imagegen_circuit_consecutive_failures", "gauge", "Consecutive failures per candidate.")
        for c in scrape.circuits {
            w.sample("imagegen_circuit_consecutive_failures", ["candidate": c.candidate, "plugin": c.plugin], Double(c.consecutiveFailures))
        }

        w.family("imagegen_plugin_files", "gauge", "Plugin files in the folder by status.")
        let loaded = scrape.plugins.filter { $0.generation != nil }.count
        w.sample("imagegen_plugin_files", ["status": "loaded"], Double(loaded))
        w.sample("imagegen_plugin_files", ["status": "refused"], Double(scrape.plugins.filter { $0.error != nil }.count))
        w.family("imagegen_plugin_generation", "gauge", "Current generation number per loaded plugin.")
        for p in scrape.plugins {
            if let id = p.id, let g = p.generation { w.sample("imagegen_plugin_generation", ["plugin": id], Double(g)) }
        }
        w.family("imagegen_plugin_changes_total", "counter", "Plugin folder changes applied by kind.")
        let changes = pluginChanges.withLock { $0 }
        for kind in ["loaded", "swapped", "refused", "removed"] {
            w.sample("imagegen_plugin_changes_total", ["kind": kind], Double(changes[kind] ?? 0))
        }

        w.family("imagegen_http_requests_total", "counter", "HTTP requests answered by the API, by route, method and status code.")
        let counted = requests.withLock { $0 }.sorted { ($0.key.route, $0.key.method, $0.key.code) < ($1.key.route, $1.key.method, $1.key.code) }
        for (key, n) in counted {
            w.sample("imagegen_http_requests_total", ["route": key.route, "method": key.method, "code": String(key.code)], Double(n))
        }
        if let http = scrape.http {
            w.family("imagegen_http_requests_rejected_total", "counter", "Requests the HTTP server refused before routing (malformed, too large, unauthorized).")
            w.sample("imagegen_http_requests_rejected_total", ["reason": "protocol"], Double(http.requestsRejected))
            w.sample("imagegen_http_requests_rejected_total", ["reason": "unauthorized"], Double(http.requestsUnauthorized))
            w.family("imagegen_http_timeouts_total", "counter", "Connections closed by a header, body, idle or write deadline.")
            w.sample("imagegen_http_timeouts_total", Double(http.timeouts))
            w.family("imagegen_http_connections_open", "gauge", "Open HTTP connections.")
            w.sample("imagegen_http_connections_open", Double(http.connectionsOpen))
            w.family("imagegen_http_connections_accepted_total", "counter", "HTTP connections accepted.")
            w.sample("imagegen_http_connections_accepted_total", Double(http.connectionsAccepted))
        }
        return w.text
    }
}
