/// One call into a plugin instance, as both transports carry it.
package enum PluginOperation: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case submit = 1, poll, fetch, cancel, balance, reconcile

    package var description: String {
        switch self {
        case .submit: "submit"
        case .poll: "poll"
        case .fetch: "fetch"
        case .cancel: "cancel"
        case .balance: "balance"
        case .reconcile: "reconcile"
        }
    }
}

/// The optional tables the host asks a plugin for (`get_extension`).
package enum PluginExtensionKind: UInt8, Sendable {
    case balance = 1, reconcile
}

/// The seam between the host and one loaded copy of a plugin: everything above it (instances,
/// generations, the pipeline) talks to a plugin only through this. `InProcessTransport` calls
/// the C table directly; `IsolatedTransport` carries the same calls to a child process.
package protocol PluginTransport: AnyObject, Sendable {
    /// `create` with the provider's config section (JSON bytes).
    func makeEndpoint(config: [UInt8]) throws(PluginCallError) -> any PluginEndpoint
    func offers(_ kind: PluginExtensionKind) -> Bool
    /// The copy is retired and drained: destroy the endpoints, then `shutdown`.
    func shutdown(endpoints: [any PluginEndpoint])
    /// Lifts a quarantine (`imagegen plugins reload`): the next call starts a fresh child.
    func releaseQuarantine()
    /// Gets the copy ready for calls without waiting for one (a child not started yet starts).
    func warmUp()
    /// How the copy runs, for `plugins` and `health`.
    var status: PluginRunStatus { get }
}

/// One configured instance behind a transport. Calls block and may take seconds.
package protocol PluginEndpoint: AnyObject, Sendable {
    /// The call's output bytes (empty for cancel), or the plugin's failure.
    func call(_ operation: PluginOperation, input: [UInt8], index: UInt32) throws(PluginCallError) -> [UInt8]
    /// `destroy` (in-process) or forgetting it (isolated): only from `shutdown(endpoints:)`.
    func destroy()
}

/// What `plugins` and `health` show about how a copy runs.
public struct PluginRunStatus: Sendable, Equatable, Codable {
    /// "none" (in the host's process) or "process".
    public var isolation: String
    /// "running", "restarting" (waiting out the back-off after a crash), "quarantined".
    public var state: String
    /// Crashes since the last successful call.
    public var consecutiveCrashes: Int
    public var totalCrashes: Int
    /// The last crash or watchdog kill, e.g. "SIGSEGV during poll".
    public var lastFailure: String?
    /// The child's process id while one runs.
    public var pid: Int32?
    /// Children started so far, the first included: with none running, every start but a
    /// retirement's ended in a counted failure.
    public var starts: Int

    public init(isolation: String, state: String = "running", consecutiveCrashes: Int = 0, totalCrashes: Int = 0,
                lastFailure: String? = nil, pid: Int32? = nil, starts: Int = 0) {
        self.isolation = isolation
        self.state = state
        self.consecutiveCrashes = consecutiveCrashes
        self.totalCrashes = totalCrashes
        self.lastFailure = lastFailure
        self.pid = pid
        self.starts = starts
    }

    enum CodingKeys: String, CodingKey {
        case isolation, state, pid, starts
        case consecutiveCrashes = "consecutive_crashes", totalCrashes = "total_crashes", lastFailure = "last_failure"
    }
}
