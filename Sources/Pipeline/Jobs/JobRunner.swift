import Foundation
import Synchronization
import ImagegenJSON
import ImagegenCore

/// Runs queued jobs: up to `jobs.concurrency` at once, by priority then age. On start it
/// resumes every job a previous process left unfinished (polling those that were submitted),
/// so a killed host neither loses a job nor pays for one twice.
///
/// Only the holder of the data folder's `RunnerLock` runs a `JobRunner`.
public actor JobRunner {
    let service: GenerationService
    var running: [String: Task<Void, Never>] = [:]
    /// Running jobs waiting for a plugin's call slot: they do not count against the concurrency.
    var parked: Set<String> = []
    var loop: Task<Void, Never>?
    var stopping = false
    /// The dispatch loop's sleep between looks at the queue, ended by `wake()`.
    let alarm = WakeableSleep()
    /// When `tendClaims` next renews and looks for lapsed claims.
    var nextClaimTending = Date.distantPast
    public private(set) var started = false
    /// Told the id of every job the runner finished running (succeeded, failed, cancelled or
    /// parked by a stop): the server's events and webhooks read its state from the catalog.
    nonisolated let finishObservers = Mutex<[@Sendable (String) -> Void]>([])

    /// Adds an observer of finished jobs; it runs on the runner and must return quickly.
    public nonisolated func onJobFinished(_ observer: @escaping @Sendable (String) -> Void) {
        finishObservers.withLock { $0.append(observer) }
    }

    /// Slots in use, read by the health report (registered with the runtime's monitor).
    public nonisolated let slots: RunnerSlots

    public init(service: GenerationService) {
        self.service = service
        slots = RunnerSlots(capacity: service.runtime.configuration.jobs.concurrency, tracker: service.runtime.pluginHealth.tracker)
        service.runtime.pluginHealth.register("runner", slots)
    }

    /// Resumes unfinished jobs, then runs the queue until `stop()`.
    public func start() {
        guard !started else { return }
        started = true
        let log = service.runtime.log
        do {
            for job in try service.catalog.unfinishedJobs() where running[job.id] == nil {
                log.info("resuming \(job.id) (\(job.state.rawValue))")
                launch(job)
            }
        } catch {
            log.error("cannot read unfinished jobs: \(error)")
        }
        loop = Task { await self.dispatch() }
    }

    /// A new job was queued: look now rather than at the next tick.
    public func wake() {
        alarm.wake()
    }

    /// Stops taking queued jobs. Jobs in flight get `grace` seconds to finish; the rest stay
    /// in the catalog in their committed state and resume on the next start.
    public func stop(grace: TimeInterval) async {
        stopping = true
        wake()
        loop?.cancel()
        let end = Date().addingTimeInterval(grace)
        while !running.isEmpty && Date() < end {
            // try?: a cancelled stop only ends the grace early; the jobs are cancelled below either way
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        for task in running.values { task.cancel() }
        // A cancelled job ends at its next step, leaving its committed state for the next start.
        // Wait (briefly) for that, so the plugins can then be shut down with no job left to
        // call into them; a job stuck in a plugin call is left behind.
        let cancelled = Date().addingTimeInterval(2)
        while !running.isEmpty && Date() < cancelled {
            try? await Task.sleep(nanoseconds: 10_000_000)  // try?: a cancelled stop only ends this wait early
        }
        for id in running.keys where !parked.contains(id) { slots.give() }
        running = [:]
        parked = []
    }

    public var inFlight: Int { running.count }

    func dispatch() async {
        let concurrency = service.runtime.configuration.jobs.concurrency
        while !stopping && !Task.isCancelled {
            let free = concurrency - (running.count - parked.count)
            if free > 0 {
                do {
                    let queued = try service.catalog.queuedJobs(limit: free + running.count, models: routableModels)
                    for job in queued where running[job.id] == nil && running.count - parked.count < concurrency {
                        launch(job)
                    }
                } catch {
                    service.runtime.log.error("cannot read the queue: \(error)")
                }
            }
            tendClaims()
            await alarm.sleep(for: .milliseconds(200))
        }
    }

    /// On a shared catalog, the models this host can route (names and aliases with a candidate):
    /// it claims only those jobs, as plugin folders may differ per host. nil on a catalog of its
    /// own: a job no plugin serves is taken and failed with what to install, not left waiting.
    var routableModels: [String]? {
        guard service.catalog.claimLeaseSeconds != nil else { return nil }
        let table = service.runtime.models
        let served = table.entries.values.filter { !$0.candidates.isEmpty }.map(\.name)
        let aliases = table.aliases.filter { table.entries[$0.value]?.candidates.isEmpty == false }.map(\.key)
        return (served + aliases).sorted()
    }

    /// Every third of the claim lease (shared catalogs only): renews the claims of the jobs this
    /// host works on — a submit, poll or store longer than the lease must not let another host
    /// take the job — and takes over jobs in flight whose host stopped renewing (killed), resuming
    /// them from their persisted reference as a restarted host would.
    func tendClaims() {
        guard let lease = service.catalog.claimLeaseSeconds, !stopping else { return }
        let now = Date()
        guard now >= nextClaimTending else { return }
        nextClaimTending = now.addingTimeInterval(lease / 3)
        let log = service.runtime.log
        do {
            try service.catalog.renewClaims(jobIDs: Array(running.keys))
        } catch {
            log.error("cannot renew this host's job claims: \(error)")
        }
        do {
            for job in try service.catalog.takeOverLapsedJobs(models: routableModels) where running[job.id] == nil {
                log.info("taking over \(job.id) (\(job.state.rawValue)) from a host that stopped renewing its claim")
                launch(job)
            }
        } catch {
            log.error("cannot look for jobs of stopped hosts: \(error)")
        }
    }

    func launch(_ job: Job) {
        var execution = JobExecution(service: service, job: job)
        execution.parking = JobParking { [weak self] parked in await self?.setParked(job.id, parked) }
        slots.take()
        running[job.id] = Task {
            await execution.run()
            self.finished(job.id)
        }
    }

    func setParked(_ id: String, _ isParked: Bool) {
        guard running[id] != nil else { return }
        // A parked job holds no runner slot (health counts what `dispatch` counts).
        if isParked {
            guard parked.insert(id).inserted else { return }
            slots.give()
            wake() // its runner slot is free for the next queued job
        } else if parked.remove(id) != nil {
            slots.take()
        }
    }

    func finished(_ id: String) {
        if running.removeValue(forKey: id) != nil, parked.remove(id) == nil { slots.give() }
        for observer in finishObservers.withLock({ $0 }) { observer(id) }
        wake()
        releaseChangeWaiters()
    }

    /// Callers of `waitForChange`, each with its own timeout. A timeout wakes only its own
    /// waiter and is cancelled when a finishing job wakes them all first: a timer that outlived
    /// its wait would wake every later waiter early, and each of those would start another,
    /// so the catalog reads of `JobCompletionWaiter` grew with every job the host had run.
    var changeWaiters: [Int: ChangeWaiter] = [:]
    var nextChangeWaiter = 0

    struct ChangeWaiter {
        let continuation: CheckedContinuation<Void, Never>
        let timeout: Task<Void, Never>
    }

    /// Suspends until some job finishes, or `milliseconds` pass: lets in-process waiters react
    /// at once instead of polling the catalog.
    /// A cancelled caller returns at once (a stopping loop must not sit out the timeout).
    public func waitForChange(milliseconds: UInt64) async {
        guard !Task.isCancelled else { return }
        let id = nextChangeWaiter
        nextChangeWaiter += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                // Cancelled before this runs: the cancel handler's release may come first and find
                // nothing to release, so look here (the body runs on this task, on the actor).
                if Task.isCancelled {
                    c.resume()
                    return
                }
                let timeout = Task {
                    do { try await Task.sleep(nanoseconds: milliseconds * 1_000_000) } catch { return }  // cancelled: woken first
                    self.releaseChangeWaiter(id)
                }
                changeWaiters[id] = ChangeWaiter(continuation: c, timeout: timeout)
            }
        } onCancel: {
            Task { await self.releaseChangeWaiter(id) }
        }
    }

    func releaseChangeWaiter(_ id: Int) {
        guard let waiter = changeWaiters.removeValue(forKey: id) else { return }
        waiter.timeout.cancel()
        waiter.continuation.resume()
    }

    /// Wakes every waiter: a job finished.
    func releaseChangeWaiters() {
        let woken = changeWaiters.values
        changeWaiters = [:]
        for waiter in woken {
            waiter.timeout.cancel()
            waiter.continuation.resume()
        }
    }
}
