import Foundation

/// One reason a plugin is not healthy, as `/v1/health`, `imagegen health` and the log name it.
/// The seam between what watches plugins (circuits, the runner's slots, calls in flight, a
/// process supervisor's crash and quarantine state) and the health report, which reads only
/// this: a new watcher adds a `PluginHealthSource`, not a field in the report.
public struct PluginHealthSignal: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A candidate's circuit is open or half-open.
        case circuitOpen = "circuit_open"
        /// The plugin broke the ABI contract recently (malformed or oversized answer...).
        case pluginError = "plugin_error"
        /// A call has been in flight longer than its time limit.
        case hung
        /// Every runner slot is taken (the plugin named holds calls in flight).
        case slotsExhausted = "slots_exhausted"
        /// Restarted after crashes again and again (process isolation).
        case crashLooping = "crash_looping"
        /// Not restarted any more until its file changes or a reload (process isolation).
        case quarantined
    }

    /// The plugin id; nil when the signal is the host's (slots held by no plugin call).
    public var plugin: String?
    public var kind: Kind
    /// What is wrong, naming the plugin, for people.
    public var message: String
    public var since: Date?

    public init(plugin: String?, kind: Kind, message: String, since: Date? = nil) {
        self.plugin = plugin
        self.kind = kind
        self.message = message
        self.since = since
    }
}

/// Anything that can tell which plugins are unhealthy now.
public protocol PluginHealthSource: Sendable {
    func healthSignals(now: Date) -> [PluginHealthSignal]
}
