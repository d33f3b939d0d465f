import Foundation
import Synchronization

/// The calls into plugins in flight now, with when each started: what `health` reads to name
/// a plugin whose call has run past its time limit (a `submit` that never returns holds a
/// runner slot forever). It only watches; abandoning such a call is the watchdog's job.
public final class PluginCallTracker: Sendable {
    /// A call in flight.
    public struct Call: Sendable, Equatable {
        public var plugin: String
        public var function: String
        public var startedAt: Date
    }

    /// How long each call may run before health calls it hung. The HTTP client's own limits
    /// (60 s by default per request, 300 s at most) keep a healthy call inside these.
    public static let defaultLimits: [String: TimeInterval] = [
        "create": 10, "submit": 600, "poll": 300, "fetch": 600, "cancel": 300, "balance": 300, "reconcile": 300,
    ]
    public static let fallbackLimit: TimeInterval = 600

    private let state = Mutex<(next: Int, calls: [Int: Call])>((0, [:]))
    let clock: @Sendable () -> Date
    let limits: [String: TimeInterval]

    public init(limits: [String: TimeInterval] = PluginCallTracker.defaultLimits, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.limits = limits
        self.clock = clock
    }

    func begin(plugin: String, function: String) -> Int {
        let call = Call(plugin: plugin, function: function, startedAt: clock())
        return state.withLock { s in
            s.next += 1
            s.calls[s.next] = call
            return s.next
        }
    }

    func end(_ token: Int) { _ = state.withLock { $0.calls.removeValue(forKey: token) } }

    /// Runs `body` as one tracked call.
    func tracking<T, E: Error>(_ plugin: String, _ function: String, _ body: () throws(E) -> T) throws(E) -> T {
        let token = begin(plugin: plugin, function: function)
        defer { end(token) }
        return try body()
    }

    public var inFlight: [Call] { state.withLock { Array($0.calls.values) } }

    public func limit(for function: String) -> TimeInterval { limits[function] ?? PluginCallTracker.fallbackLimit }

    /// Calls running longer than their limit, oldest first.
    public func overdue(now: Date) -> [Call] {
        inFlight.filter { now.timeIntervalSince($0.startedAt) > limit(for: $0.function) }.sorted { $0.startedAt < $1.startedAt }
    }
}
