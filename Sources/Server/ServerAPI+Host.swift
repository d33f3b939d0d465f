import Foundation
import Catalog
import HTTPServer
import Operations
import PluginHost
import Pipeline

/// The host's own endpoints: liveness, metrics, models, plugins, reload and health.
extension ServerAPI {
    /// `GET /healthz`: 200 while serving, 503 once shutdown has begun (load balancers stop
    /// sending).
    func healthz(_ request: HTTPRequest) -> HTTPResponse {
        if isDraining {
            return .error(.serviceUnavailable, code: "shutting_down", message: "imagegen serve is shutting down")
        }
        // Still 200 (liveness: the host serves), but the body tells the truth about plugins.
        let degraded = runtime.plugins.records.contains(where: Self.pluginIsDegraded)
        return .json(bytes: Array((degraded ? #"{"status":"degraded"}"# : #"{"status":"ok"}"#).utf8))
    }

    /// A plugin file refused, or its child crash-looping (restarting) or quarantined.
    static func pluginIsDegraded(_ record: PluginRecord) -> Bool {
        record.error != nil || (record.run.map { $0.state != "running" } ?? false)
    }

    /// `GET /v1/models`: `{ "models": [ModelRecord] }`, encoded once per plugin-set change.
    func listModels(_ request: HTTPRequest) async -> HTTPResponse {
        if let cached = cachedModels() { return cached }
        let version = runtime.plugins.version
        let records = runtime.models.sortedEntries.map(ModelRecord.init(entry:))
        let response = APIEncoding.json(["models": records])
        if response.status == .ok { modelsCache.withLock { $0 = (version, response) } }
        return response
    }

    /// The `GET /v1/models` answer for the plugins loaded now, if it is encoded already (answered
    /// on the socket thread); nil after a plugin change until `listModels` encodes it again.
    func cachedModels() -> HTTPResponse? {
        let version = runtime.plugins.version
        guard let cached = modelsCache.withLock({ $0 }), cached.version == version else { return nil }
        return cached.response
    }

    struct PluginsBody: Encodable {
        var plugins: [PluginRecord]
        var recentChanges: [PluginFolderWatcher.Event]
        enum CodingKeys: String, CodingKey {
            case plugins
            case recentChanges = "recent_changes"
        }
    }

    /// `GET /v1/plugins`: every file with its status (a refused file with the reason), and the
    /// folder changes applied recently.
    func listPlugins(_ request: HTTPRequest) async -> HTTPResponse {
        APIEncoding.json(PluginsBody(plugins: runtime.pluginRecords, recentChanges: watcher.history))
    }

    struct ReloadBody: Encodable {
        var changes: [PluginChangeReport]
        var plugins: [PluginRecord]
    }

    /// `POST /v1/plugins/reload`: rescan the folder now; answers what changed.
    func reloadPlugins(_ request: HTTPRequest) async -> HTTPResponse {
        runtime.plugins.releaseQuarantines()
        let changes = await watcher.reload()
        return APIEncoding.json(ReloadBody(changes: changes, plugins: runtime.pluginRecords))
    }

    struct HealthBody: Encodable {
        /// ok: every candidate closed, no file refused, none settling, every model with a candidate
        /// that has its key, no configuration problem and no plugin health signal; degraded otherwise.
        var status: String
        /// Plugin files arrived or changed and not loaded yet: what will serve is not known.
        var settling: Bool
        /// What in the config, templates or plan cannot run as written (as `config check` says).
        var problems: [String]
        /// Each plugin reason for "degraded", naming the plugin: quarantined, crash-looping, hung
        /// past its time limit, holding every runner slot, breaking the ABI, circuit open.
        var pluginProblems: [PluginHealthSignal]
        var runner: RunnerBody
        var candidates: [CircuitView]
        var plugins: [PluginRecord]
        /// The output nudity check: nil when `output_check.enabled` is off. Unavailable is
        /// degraded: images are quarantined (`output_check_unavailable`) until it runs.
        var outputCheck: NudityDetectorStatus?
        enum CodingKeys: String, CodingKey {
            case status, settling, problems, runner, candidates, plugins
            case pluginProblems = "plugin_problems", outputCheck = "output_check"
        }
    }

    struct RunnerBody: Encodable {
        var slots: Int
        var inUse: Int
        enum CodingKeys: String, CodingKey {
            case slots
            case inUse = "in_use"
        }
    }

    /// `GET /v1/health`: why the host is degraded (by plugin), circuits per candidate and the plugins.
    /// `/healthz` stays liveness only: a degraded host still serves.
    func healthReport(_ request: HTTPRequest) async -> HTTPResponse {
        let now = service.clock()
        let circuits = currentCircuits()
        let plugins = runtime.pluginRecords
        // A model none of whose candidates can take a job (no key set) is as down as an open circuit.
        let stranded = Dictionary(grouping: circuits.flatMap { c in c.models.map { ($0, c) } }, by: \.0)
            .contains { $0.value.allSatisfy { $0.1.unusable != nil } }
        let settling = watcher.isSettling
        let problems = configurationProblems()
        // The plugin set is one of the monitor's sources: a restarting or quarantined child
        // shows there (crash_looping, quarantined) beside hung calls and contract faults.
        let pluginProblems = runtime.pluginHealth.allSignals(now: now)
        let outputCheck = service.outputCheck?.status
        let degraded = circuits.contains { $0.state != "closed" } || plugins.contains(where: Self.pluginIsDegraded) || stranded || settling
            || !problems.isEmpty || !pluginProblems.isEmpty || outputCheck?.state == .unavailable
        return APIEncoding.json(HealthBody(status: degraded ? "degraded" : "ok", settling: settling, problems: problems,
                                           pluginProblems: pluginProblems,
                                           runner: RunnerBody(slots: runner.slots.capacity, inUse: runner.slots.inUse),
                                           candidates: circuits, plugins: plugins, outputCheck: outputCheck))
    }

    /// The configuration's problems against the plugins loaded now (see `HostConsistency.problems`).
    func configurationProblems() -> [String] {
        do {
            return HostConsistency.problems(configuration: runtime.configuration,
                                            loadedPlugins: runtime.plugins.generations.map(\.manifest.id),
                                            models: runtime.models, library: try templates.library())
        } catch {
            return ["templates: \(error)"]
        }
    }

    func currentCircuits() -> [CircuitView] {
        CircuitView.all(models: runtime.models, health: service.health,
                        loaded: Set(runtime.plugins.generations.map(\.manifest.id)), now: service.clock(),
                        missingSecrets: runtime.missingSecrets())
    }

    /// `GET /metrics`: Prometheus text format 0.0.4.
    func metricsText(_ request: HTTPRequest) async -> HTTPResponse {
        // Zero job counts and no budget gauges would read as "nothing queued, nothing spent" and
        // silence alerts: a catalog that cannot be read fails the scrape instead (up == 0).
        let counts: [JobCount]
        let budgets: [BudgetStatus]
        do {
            counts = try catalog.jobCounts()
            budgets = try catalog.budgetStatus(service.budgets, categories: Array(runtime.configuration.budgets.categories.keys),
                                               now: service.clock())
        } catch {
            runtime.log.error("GET /metrics: cannot read job counts and budgets from the catalog: \(error)")
            return .error(.serviceUnavailable, code: "catalog_unavailable", message: "cannot read the catalog for metrics: \(error)")
        }
        let scrape = ServerMetrics.Scrape(jobCounts: counts, circuits: currentCircuits(), plugins: runtime.pluginRecords,
                                          budgets: budgets, http: http.withLock { $0?.statistics },
                                          runnerInFlight: await runner.inFlight, draining: isDraining)
        return .text(metrics.render(scrape), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
