import PluginAPI

/// The ABI's status codes on the host side (`imagegen_status`). Unknown codes read as
/// `.internal`, as the header promises.
public enum PluginStatus: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case ok = 0
    case invalidRequest = 1
    case auth = 2
    case rateLimited = 3
    case quota = 4
    case contentFiltered = 5
    case provider = 6
    case timeout = 7
    case cancelled = 8
    case unsupported = 9
    case `internal` = 10
    case bufferTooSmall = 11
    case notFound = 12

    public init(code: Int32) { self = PluginStatus(rawValue: code) ?? .internal }

    /// Stable names used in the catalog, the API and metrics.
    public var description: String {
        switch self {
        case .ok: return "ok"
        case .invalidRequest: return "invalid_request"
        case .auth: return "auth"
        case .rateLimited: return "rate_limited"
        case .quota: return "quota"
        case .contentFiltered: return "content_filtered"
        case .provider: return "provider_error"
        case .timeout: return "timeout"
        case .cancelled: return "cancelled"
        case .unsupported: return "unsupported"
        case .internal: return "internal"
        case .bufferTooSmall: return "buffer_too_small"
        case .notFound: return "not_found"
        }
    }

    /// A failure of the provider's health (counts towards opening its circuit).
    public var isProviderFailure: Bool {
        switch self {
        case .auth, .quota, .provider, .timeout, .internal, .unsupported: return true
        default: return false
        }
    }
}

/// A plugin call that did not return OK: the status and the plugin's message.
public struct PluginCallError: Error, Sendable, CustomStringConvertible {
    public var status: PluginStatus
    public var message: String
    public var retryAfterMilliseconds: Int?
    /// The call never reached the plugin: its generation was retired by a hot swap (or
    /// removal) and has shut down. The caller should take the plugin's current instance and
    /// call again; it is not a provider failure, and nothing was sent to the provider.
    public var generationRetired: Bool
    /// The call failed because of the plugin's process or watchdog, not the provider's answer.
    public var isolation: PluginIsolationFailure?
    /// The plugin broke the ABI contract (an oversized or malformed answer, an unknown state,
    /// more outputs than asked for): not a provider answer to retry, so the job fails at once
    /// as `plugin_error` and the candidate's circuit counts it.
    public var pluginFault: Bool

    public init(_ status: PluginStatus, _ message: String, retryAfterMilliseconds: Int? = nil, generationRetired: Bool = false,
                isolation: PluginIsolationFailure? = nil, pluginFault: Bool = false) {
        self.status = status
        self.message = message
        self.retryAfterMilliseconds = retryAfterMilliseconds
        self.generationRetired = generationRetired
        self.isolation = isolation
        self.pluginFault = pluginFault
    }

    /// A broken contract (see `pluginFault`), with what was wrong.
    public static func fault(_ message: String) -> PluginCallError {
        PluginCallError(.internal, message, pluginFault: true)
    }

    /// The job error code of a broken contract.
    public static let faultCode = "plugin_error"

    public var description: String { "\(status): \(message)" }
}

/// Why a call never got the plugin's answer (see docs/plugin-abi.md §11).
public enum PluginIsolationFailure: String, Sendable {
    /// The plugin's child process died (signal or exit) with the call in flight.
    case crashed
    /// The call ran past its watchdog; the host stopped waiting (and killed the child).
    case watchdog
    /// The plugin crashed too often in a row; it is not restarted until its file changes or
    /// `imagegen plugins reload`.
    case quarantined
    /// The child is waiting out its restart back-off after a crash.
    case restarting
}
