import Foundation
import ImagegenJSON
import Synchronization
import ImagegenConfig
import ImagegenCore
import PluginHost
import Security

/// The composition root: configuration, log, secrets and the loaded plugins. The CLI, the
/// server and the library API all start here, so they see the same host.
public final class HostRuntime: Sendable {
    public let paths: HostPaths
    public let configuration: Configuration
    public let log: Log
    public let secrets: any SecretSource
    public let plugins: PluginSet
    /// Secrets, keys and prompt protection, audit, content policy and quotas (Security/).
    public let security: HostSecurity
    /// Plugin health signals: calls in flight past their limit, contract faults, and the
    /// sources registered by the circuits and the runner (read by `/v1/health`).
    public let pluginHealth: PluginHealthMonitor

    /// `security` comes from `HostSecurity.open` (which refuses an unusable key or secrets
    /// file); without it the runtime opens it itself and stays locked if that fails. `secrets`
    /// replaces the secret store for plugins (tests).
    public init(paths: HostPaths, configuration: Configuration, log: Log = Log(), secrets: (any SecretSource)? = nil,
                security: HostSecurity? = nil,
                settleMilliseconds: Int = 0, clock: (@Sendable () -> Int64)? = nil) {
        self.paths = paths
        self.configuration = configuration
        self.log = log
        HostRuntime.sweepLeftovers(paths: paths, log: log)
        let security = security ?? HostSecurity.openOrLocked(paths: paths, configuration: configuration, log: log, secretSource: secrets)
        self.security = security
        let secrets = security.secretSource
        self.secrets = secrets
        log.setRedaction { [redaction = security.redaction] line in redaction.redact(line) }
        let pluginHealth = PluginHealthMonitor()
        self.pluginHealth = pluginHealth
        let loader = PluginLoader(log: log, secrets: secrets, clock: clock, providerConfig: configuration.providers,
                                  limits: PluginBoundaryLimits(maxImageBytes: configuration.imaging.limits.maxBytes),
                                  tracker: pluginHealth.tracker, describeCache: paths.data + "/cache/plugin-describe")
        let plugins = PluginSet(directory: paths.plugins, loader: loader, log: log, providerConfig: configuration.providers,
                                settleMilliseconds: settleMilliseconds, arrivalsFile: paths.data + "/plugin-arrivals.json")
        self.plugins = plugins
        pluginHealth.register("isolation", plugins)
        plugins.observeChanges { [security] changes in security.recordPluginChanges(changes, plugins: plugins) }
        plugins.observeChanges { [weak self] changes in
            self?.logLateCandidates(changes)
            for change in changes {
                switch change {
                case .loaded(_, let id, _, _), .swapped(_, let id, _, _), .removed(_, let id): pluginHealth.clearFaults(plugin: id)
                case .refused: break
                }
            }
        }
    }

    /// Loads the config at `paths.config` (or the defaults), the security services, and scans
    /// the plugins folder. `catalogAtRest` lets security look into an existing catalog before it
    /// generates a key (`HostSecurity.open`).
    public static func open(paths: HostPaths, log: Log = Log(),
                             catalogAtRest: CatalogAtRest? = nil) throws(ConfigurationError) -> HostRuntime {
        let configuration = try Configuration.load(path: paths.config)
        let security = try HostSecurity.open(paths: paths, configuration: configuration, log: log, catalogAtRest: catalogAtRest)
        let runtime = HostRuntime(paths: paths, configuration: configuration, log: log, security: security)
        if !FileManager.default.fileExists(atPath: paths.plugins) {
            log.warning("the plugins folder \(paths.plugins) does not exist: no provider is loaded. "
                        + "Run `make plugins` or pass --plugins DIR.")
        }
        runtime.plugins.rescan()
        runtime.warnAboutUnusedProviderSections()
        return runtime
    }

    /// Names each `providers.<id>` section no loaded plugin reports (with the loaded ids and a
    /// did-you-mean): such a section is otherwise ignored without a word. Call after a scan.
    package func warnAboutUnusedProviderSections() {
        for problem in ProviderSectionCheck.problems(configured: configuration.providers.keys,
                                                     loaded: plugins.generations.map(\.manifest.id)) {
            log.warning(problem)
        }
    }

    /// Logs each candidate a rescan put last for a model another plugin already served.
    private func logLateCandidates(_ changes: [PluginSet.Change]) {
        let arrived = Set(changes.compactMap { change -> String? in
            if case .loaded(_, let id, _, _) = change { return id }
            return nil
        })
        guard !arrived.isEmpty else { return }
        for entry in models.sortedEntries {
            for c in entry.candidates where arrived.contains(c.plugin) {
                if let note = c.orderNote { log.warning("plugin \(c.plugin): \(note)") }
            }
        }
    }

    /// The plugin rows with, for each, the models it serves last because it arrived late.
    public var pluginRecords: [PluginRecord] {
        let table = models
        return plugins.records.map { r in
            var r = r
            let notes = table.sortedEntries.flatMap { e in e.candidates.filter { $0.plugin == r.id }.compactMap(\.orderNote) }
            r.ordering = notes.isEmpty ? nil : notes
            return r
        }
    }

    private let modelCache = Mutex<(version: Int, table: ModelTable)?>(nil)

    /// The routing table for the plugins loaded now (rebuilt when the plugin set changes).
    public var models: ModelTable {
        let version = plugins.version
        if let cached = modelCache.withLock({ $0 }), cached.version == version { return cached.table }
        let table = ModelTable(manifests: plugins.generations.map(\.manifest), configuration: configuration,
                               arrivals: plugins.arrivals)
        modelCache.withLock { $0 = (version, table) }
        return table
    }
}
