import Foundation
import Synchronization
import PluginHost

/// How a job gives up its runner slot while it waits for a plugin's call slot (`JobRunner`).
struct JobParking: Sendable {
    let park: @Sendable (Bool) async -> Void
}

/// One of a plugin's calls in flight (`limits.max_in_flight`), given back exactly once: when
/// the call really returns (an abandoned in-process call keeps it while its thread is stuck).
final class PluginSlot: Sendable {
    let gate: PluginCallGate
    private let released = Atomic<Bool>(false)
    init(_ gate: PluginCallGate) { self.gate = gate }
    func release() {
        if !released.exchange(true, ordering: .acquiringAndReleasing) { gate.release() }
    }
}

extension JobExecution {
    /// Waits for one of `plugin`'s call slots. While it waits the job is parked (it does not
    /// count against `jobs.concurrency`), so a plugin that hangs holds its own slots only and
    /// every other plugin's jobs, in priority order, keep running. nil: the host is stopping, or
    /// (`cancellable`) the job was cancelled while waiting.
    func acquireSlot(_ plugin: String, cancellable: Bool) async -> PluginSlot? {
        let gate = service.runtime.plugins.callGate(forPlugin: plugin)
        if gate.tryAcquire() { return PluginSlot(gate) }
        log.info("\(job.id): \(plugin) has all its \(gate.capacity) calls in flight (limits.max_in_flight); the job waits without holding a runner slot")
        await parking?.park(true)
        var acquired: PluginSlot?
        var round = 0
        while true {
            if gate.tryAcquire() {
                acquired = PluginSlot(gate)
                break
            }
            // The gate is in memory and asked every 50 ms; the catalog, for a cancel, every 0.5 s:
            // a backlog of waiting jobs read their rows 20 times a second each (most of a
            // generation's statements under load).
            round += 1
            if Task.isCancelled || (cancellable && round % 10 == 0 && cancelRequested(while: "waiting for a call slot of \(plugin)")) { break }
            try? await Task.sleep(nanoseconds: 50_000_000)  // try?: a cancelled sleep means the host is stopping; the check above returns next round
        }
        await parking?.park(false)
        return acquired
    }

    /// One call into `plugin`: a call slot (given, or taken here), the watchdog
    /// (`watchdog_ms.<operation>`), and for a submit, a cancel request that ends the wait. A
    /// call that found its generation retired by a hot swap never reached the plugin, so it is
    /// made again on the plugin's current generation (which also polls and fetches the jobs the
    /// old one submitted: the reference is the provider's, not the generation's).
    func callPlugin<T: Sendable>(_ plugin: String, _ operation: String, instance: inout PluginInstance, slot given: PluginSlot? = nil,
                                 cancellable: Bool = false,
                                 _ body: @escaping @Sendable (PluginInstance) throws(PluginCallError) -> T) async throws(PluginCallError) -> T {
        var slot = given
        var attempts = 0
        while true {
            if slot == nil { slot = await acquireSlot(plugin, cancellable: cancellable) }
            guard let held = slot else {
                throw PluginCallError(.cancelled, "cancelled before it was sent to \(plugin)")
            }
            slot = nil
            let current = instance
            let settings = service.runtime.plugins.settings(forPlugin: plugin)
            // An isolated plugin's own watchdog fires first and kills its child; this one is for
            // in-process plugins (and a child that would not die).
            let limit = settings.limit(operation) + 2
            let timeout = PluginCallError(.timeout, "\(plugin): \(operation) did not return within \(Int(settings.limit(operation))) s (watchdog_ms.\(operation)); the host stopped waiting",
                                          isolation: .watchdog)
            let jobID = job.id, catalog = self.catalog
            let cancelled = PluginCallError(.cancelled, "cancelled while submitting to \(plugin): the host stopped waiting for its answer, "
                                            + "so the provider may still have the job (it is not sent again)")
            var abandon: (@Sendable () -> PluginCallError?)?
            if cancellable {
                abandon = { () -> PluginCallError? in
                    let asked = try? catalog.cancelRequested(jobID)  // try?: an unreadable catalog is "not requested"; the next check reads it again
                    return asked == true ? cancelled : nil
                }
            }
            do throws(PluginCallError) {
                let call: @Sendable () throws(PluginCallError) -> T = { () throws(PluginCallError) -> T in try body(current) }
                let release: @Sendable () -> Void = { held.release() }
                return try await PluginThreads.run(limit: limit, timeout: timeout, abandonWhen: abandon, returned: release, call)
            } catch where error.generationRetired && attempts < 5 {
                attempts += 1
                instance = try service.runtime.plugins.instance(forPlugin: plugin)
            }
        }
    }
}
