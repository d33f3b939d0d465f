import Foundation
import Synchronization

/// The plugin-side health signals the host keeps itself: calls in flight past their time
/// limit (from the `PluginCallTracker`) and recent contract faults. Other sources (circuits,
/// the runner, a process supervisor) register here, so one call gathers every signal.
public final class PluginHealthMonitor: PluginHealthSource {
    public let tracker: PluginCallTracker
    /// How long a contract fault keeps its plugin reported (a new file of the plugin clears it).
    public let faultMemory: TimeInterval
    private let faults = Mutex<[String: PluginHealthSignal]>([:])
    private let sources = Mutex<[String: any PluginHealthSource]>([:])

    public init(tracker: PluginCallTracker = PluginCallTracker(), faultMemory: TimeInterval = 900) {
        self.tracker = tracker
        self.faultMemory = faultMemory
    }

    /// Adds (or replaces, by name) a source of signals.
    public func register(_ name: String, _ source: any PluginHealthSource) {
        sources.withLock { $0[name] = source }
    }

    /// A plugin broke the ABI contract (the job already failed as `plugin_error`).
    public func recordFault(plugin: String, message: String, at now: Date) {
        faults.withLock { $0[plugin] = PluginHealthSignal(plugin: plugin, kind: .pluginError, message: "plugin \(plugin): \(message)", since: now) }
    }

    /// A new generation of the plugin loaded: its predecessor's faults are history.
    public func clearFaults(plugin: String) {
        _ = faults.withLock { $0.removeValue(forKey: plugin) }
    }

    /// This monitor's own signals: overdue calls and recent faults.
    public func healthSignals(now: Date) -> [PluginHealthSignal] {
        var signals: [PluginHealthSignal] = []
        var overdue: [String: [PluginCallTracker.Call]] = [:]
        for call in tracker.overdue(now: now) { overdue[call.plugin, default: []].append(call) }
        for (plugin, calls) in overdue.sorted(by: { $0.key < $1.key }) {
            let oldest = calls[0]
            let seconds = Int(now.timeIntervalSince(oldest.startedAt))
            signals.append(PluginHealthSignal(
                plugin: plugin, kind: .hung,
                message: "plugin \(plugin): \(calls.count) call(s) in flight past their time limit; the oldest, \(oldest.function), "
                    + "for \(seconds) s (limit \(Int(tracker.limit(for: oldest.function))) s)",
                since: oldest.startedAt))
        }
        signals += faults.withLock { f in
            f = f.filter { now.timeIntervalSince($0.value.since ?? now) <= faultMemory }
            return f.values.sorted { ($0.plugin ?? "") < ($1.plugin ?? "") }
        }
        return signals
    }

    /// Every signal: this monitor's and its registered sources', ordered by plugin.
    public func allSignals(now: Date) -> [PluginHealthSignal] {
        let others = sources.withLock { Array($0.values) }
        return (healthSignals(now: now) + others.flatMap { $0.healthSignals(now: now) })
            .sorted { ($0.plugin ?? "", $0.kind.rawValue) < ($1.plugin ?? "", $1.kind.rawValue) }
    }
}
