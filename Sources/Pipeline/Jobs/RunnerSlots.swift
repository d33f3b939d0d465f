import Foundation
import Synchronization
import PluginHost

/// The runner's job slots (`jobs.concurrency`) in use, as a health signal: when every slot is
/// taken, queued jobs wait whatever their priority, so health says so and names the plugins
/// whose calls hold the slots (sixteen `submit`s that never return used to take them all
/// while `/healthz` said ok).
public final class RunnerSlots: PluginHealthSource {
    public let capacity: Int
    private let used = Mutex(0)
    let tracker: PluginCallTracker

    public init(capacity: Int, tracker: PluginCallTracker) {
        self.capacity = max(1, capacity)
        self.tracker = tracker
    }

    public var inUse: Int { used.withLock { $0 } }
    func take() { used.withLock { $0 += 1 } }
    func give() { used.withLock { $0 = max(0, $0 - 1) } }

    public func healthSignals(now: Date) -> [PluginHealthSignal] {
        let n = inUse
        guard n >= capacity else { return [] }
        let head = "all \(capacity) runner slots are in use (jobs.concurrency)"
        var byPlugin: [String: [String]] = [:]
        for call in tracker.inFlight { byPlugin[call.plugin, default: []].append(call.function) }
        guard !byPlugin.isEmpty else { return [PluginHealthSignal(plugin: nil, kind: .slotsExhausted, message: head)] }
        return byPlugin.sorted { $0.key < $1.key }.map { plugin, functions in
            let counts = Dictionary(functions.map { ($0, 1) }, uniquingKeysWith: +).sorted { $0.key < $1.key }
                .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            return PluginHealthSignal(plugin: plugin, kind: .slotsExhausted,
                                      message: "\(head); plugin \(plugin) holds \(functions.count) call(s) in flight (\(counts))")
        }
    }
}
