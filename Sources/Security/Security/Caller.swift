import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Who is acting, for the audit log and the per-token quotas: `cli:<user>` for the command
/// line, `token:<name>` for a call of the HTTP API (by the token's configured *name*, never its
/// value), `system:<component>` for the host's own work.
///
/// The server binds the caller of each request with
/// `Caller.$current.withValue(Caller(apiToken: "analytics")) { … }`; everything the request
/// does below (enqueue, cancel, audit) sees it. Outside a request the process default applies.
public struct Caller: Sendable, Equatable, CustomStringConvertible {
    /// Written to the audit log.
    public var principal: String
    /// The API token's name, for per-token quotas; nil for the CLI and the host itself.
    public var apiToken: String?

    public init(principal: String, apiToken: String? = nil) {
        self.principal = principal
        self.apiToken = apiToken
    }

    /// A caller authenticated by the HTTP API's bearer token named `name`.
    public init(apiToken name: String) {
        self.init(principal: "token:\(name)", apiToken: name)
    }

    public static func system(_ component: String) -> Caller { Caller(principal: "system:\(component)") }

    public var description: String { principal }

    @TaskLocal public static var current: Caller?

    private static let processDefault = Mutex(Caller(principal: "local:\(Caller.userName())"))

    /// The caller when nothing is bound: `local:<user>`, or what the program set (the CLI sets
    /// `cli:<user>` at start).
    public static var process: Caller {
        get { processDefault.withLock { $0 } }
        set { processDefault.withLock { $0 = newValue } }
    }

    /// The bound caller, else the process default.
    public static var effective: Caller { current ?? process }

    public static func userName() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid\(geteuid())"
    }
}
