import Composition
import HTTPServer
import ImagegenConfig
import Operations
/// Why `imagegen serve` could not start. Each says what to do.
package enum HostServerError: Error, Sendable, CustomStringConvertible {
    case configuration(ConfigurationError)
    /// The host could not be built from its data folder (key, catalog, prompt protection).
    case composition(CompositionError)
    case settings(ServerSettingsError)
    case runnerLockHeld(data: String)
    case catalog(String)
    case http(HTTPServerError)
    case metrics(MetricsRegistryError)

    package var description: String {
        switch self {
        case .configuration(let e): return e.description
        case .composition(let e): return e.description
        case .settings(let e): return e.description
        case .runnerLockHeld(let data):
            return "another imagegen process already runs the jobs of \(data) (an `imagegen serve`, or a `generate` or `jobs run` "
                + "in progress): stop it first, or give this server its own folder with --data"
        case .catalog(let m): return "cannot open the catalog: \(m)"
        case .http(let e): return e.description
        case .metrics(let e): return "cannot set up /metrics: \(e)"
        }
    }
}
