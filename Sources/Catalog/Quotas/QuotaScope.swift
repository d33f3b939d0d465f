/// Who a quota applies to: a provider (all traffic to it) or one API token of the host's HTTP
/// API. Tokens are named by their configured name, never by the token value, because scopes
/// appear in error messages, metrics and the audit log.
public enum QuotaScope: Hashable, Sendable, CustomStringConvertible {
    case provider(String)
    case apiToken(String)

    public var description: String {
        switch self {
        case .provider(let name): return "provider '\(name)'"
        case .apiToken(let name): return "API token '\(name)'"
        }
    }

    /// A stable text form for a persistence table: `provider:<name>` or `token:<name>`.
    public var storageKey: String {
        switch self {
        case .provider(let name): return "provider:\(name)"
        case .apiToken(let name): return "token:\(name)"
        }
    }

    public init?(storageKey: String) {
        if storageKey.hasPrefix("provider:") {
            self = .provider(String(storageKey.dropFirst("provider:".count)))
        } else if storageKey.hasPrefix("token:") {
            self = .apiToken(String(storageKey.dropFirst("token:".count)))
        } else {
            return nil
        }
    }
}
