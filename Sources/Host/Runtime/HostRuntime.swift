import Foundation
import ImagegenJSON
import Synchronization

/// The composition root: configuration, log, secrets and the loaded plugins. The CLI, the
/// server and the library API all start here, so they see the same host.
public final class HostRuntime: Sendable {
    public let paths: HostPaths
    public let configuration: Configuration
    public let log: Log
    public let secrets: any SecretSource
    public let plugins: PluginSet

    public init(paths: HostPaths, configuration: Configuration, log: Log = Log(), secrets: (any SecretSource)? = nil,
                settleMilliseconds: Int = 0, clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.paths = paths
        self.configuration = configuration
        self.log = log
        let secrets = secrets ?? EnvironmentSecrets()
        self.secrets = secrets
        let known = secrets.knownValues.filter { $0.count >= 6 }
        if !known.isEmpty {
            log.setRedaction { line in known.reduce(line) { $0.replacingOccurrences(of: $1, with: "[REDACTED]") } }
        }
        let loader = PluginLoader(log: log, secrets: secrets, clock: clock)
        plugins = PluginSet(directory: paths.plugins, loader: loader, log: log, providerConfig: configuration.providers,
                            settleMilliseconds: settleMilliseconds)
    }

    /// Loads the config at `paths.config` (or the defaults) and scans the plugins folder.
    public static func open(paths: HostPaths, log: Log = Log()) throws(ConfigurationError) -> HostRuntime {
        let configuration = try Configuration.load(path: paths.config)
        let runtime = HostRuntime(paths: paths, configuration: configuration, log: log)
        if !FileManager.default.fileExists(atPath: paths.plugins) {
            log.warning("the plugins folder \(paths.plugins) does not exist: no provider is loaded. "
                        + "Run `make plugins` or pass --plugins DIR.")
        }
        runtime.plugins.rescan()
        return runtime
    }

    private let modelCache = Mutex<(version: Int, table: ModelTable)?>(nil)

    /// The routing table for the plugins loaded now (rebuilt when the plugin set changes).
    public var models: ModelTable {
        let version = plugins.version
        if let cached = modelCache.withLock({ $0 }), cached.version == version { return cached.table }
        let table = ModelTable(manifests: plugins.generations.map(\.manifest), configuration: configuration)
        modelCache.withLock { $0 = (version, table) }
        return table
    }
}
