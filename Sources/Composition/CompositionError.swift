import ImagegenConfig

/// Why a host could not be built from its data folder. Each says what to do.
public enum CompositionError: Error, Sendable, CustomStringConvertible {
    /// The config file, the secrets file or the master key is unusable.
    case configuration(ConfigurationError)
    case catalog(path: String, reason: String)
    /// The catalog refused the prompt protection: without it prompts would be stored in plain
    /// text, so the host does not start.
    case promptProtection(String)

    public var description: String {
        switch self {
        case .configuration(let e): return e.description
        case .catalog(let path, let reason): return "cannot open the catalog \(path): \(reason)"
        case .promptProtection(let reason):
            return "cannot attach prompt protection to the catalog (\(reason)): refusing to start rather than store prompts "
                + "in plain text. Check the master key (docs/security.md) and the catalog file's permissions."
        }
    }
}
