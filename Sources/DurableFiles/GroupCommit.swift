import Dispatch
import Synchronization

/// Shares one sync (an fsync, or an fsync round over several files) among every writer that
/// asks for durability while the previous sync is running: N writers finishing within the same
/// few milliseconds pay for one or two syncs instead of N, and a writer waits at most one sync
/// longer than it would alone.
///
/// A caller's data is covered only by a sync that *starts* after the caller asked, so a round
/// takes its waiters before it syncs and everyone who asks during the sync waits for the next
/// round. The syncs run on a serial queue of their own, never on the Swift cooperative pool.
///
/// With a `write` stage and an `eventualSyncDelay`, data no one waits for is handed to the OS
/// within `eventualDelay` (it then survives a killed process) and synced within
/// `eventualSyncDelay` (it then survives a power cut), so a stream of reads costs one fsync a
/// second instead of one every few milliseconds.
package final class GroupCommit: Sendable {
    package typealias Sync = @Sendable () throws -> Void
    typealias Waiter = @Sendable (Result<Void, any Error>) -> Void

    private struct State {
        var waiters: [Waiter] = []
        /// A round is running (or about to): new waiters join the next one it starts.
        var running = false
        /// Data written with `eventually` waits for a round; one is scheduled when none runs.
        var eventuallyPending = false
        var eventuallyScheduled = false
        /// Written by an eventual round and not synced yet; a sync is scheduled for it.
        var unsynced = false
        var syncScheduled = false
        /// The scheduled sync is due: the next round syncs even with no waiter.
        var syncDue = false
        var rounds = 0
        var syncs = 0
    }

    private let write: Sync?
    private let sync: Sync
    private let queue: DispatchQueue
    private let eventualDelay: DispatchTimeInterval
    private let eventualSyncDelay: DispatchTimeInterval?
    private let onEventualFailure: @Sendable (any Error) -> Void
    private let state = Mutex(State())

    /// - Parameters:
    ///   - eventualDelay: how long data written with `eventually()` may stay unsynced when no
    ///     one else asks for a sync (a few milliseconds: that is the window such data shares).
    ///   - eventualSyncDelay: with `write`, how long data written by an eventual round may stay
    ///     unsynced; nil syncs in every round.
    ///   - onEventualFailure: where a failed sync that no waiter asked for is reported (the
    ///     host's log), so a failure is never dropped.
    ///   - write: hands buffered data to the OS (no fsync); every round runs it before `sync`.
    package init(label: String, eventualDelay: DispatchTimeInterval = .milliseconds(5),
                 eventualSyncDelay: DispatchTimeInterval? = nil,
                 onEventualFailure: @escaping @Sendable (any Error) -> Void,
                 write: Sync? = nil, sync: @escaping Sync) {
        self.write = write
        self.sync = sync
        self.eventualSyncDelay = write == nil ? nil : eventualSyncDelay
        self.queue = DispatchQueue(label: label, qos: .userInitiated)
        self.eventualDelay = eventualDelay
        self.onEventualFailure = onEventualFailure
    }

    /// Returns once a sync that started after this call has finished (throws its error).
    package func commit() async throws {
        let result: Result<Void, any Error> = await withCheckedContinuation { continuation in
            enqueue { continuation.resume(returning: $0) }
        }
        try result.get()
    }

    /// `commit()` for callers that are not async (the CLI, plugin-watcher callbacks). Blocks the
    /// calling thread; never call it from the cooperative pool on a hot path.
    package func commitBlocking() throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        enqueue { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        try outcome.withLock { $0 }!.get()
    }

    /// Asks for a round within `eventualDelay` without waiting for it: for data whose loss in a
    /// crash is acceptable but which must not stay unsynced for long (the audit entry of a read).
    /// With a write stage and `eventualSyncDelay`, that round only writes, and the sync follows
    /// within `eventualSyncDelay` unless a waiter's round syncs first.
    package func eventually() {
        let schedule = state.withLock { state -> Bool in
            state.eventuallyPending = true
            guard !state.running, !state.eventuallyScheduled else { return false }
            state.eventuallyScheduled = true
            return true
        }
        guard schedule else { return }
        queue.asyncAfter(deadline: .now() + eventualDelay) { [self] in
            startRounds { state in
                state.eventuallyScheduled = false
                return state.eventuallyPending
            }
        }
    }

    /// Rounds run so far, with or without a sync (tests and benchmarks count them).
    package var rounds: Int { state.withLock { $0.rounds } }

    /// Syncs run so far.
    package var syncs: Int { state.withLock { $0.syncs } }

    /// Callers waiting for the next round (tests use it to line up a batch).
    package var waiting: Int { state.withLock { $0.waiters.count } }

    private func enqueue(_ waiter: @escaping Waiter) {
        let start = state.withLock { state -> Bool in
            state.waiters.append(waiter)
            guard !state.running else { return false }
            state.running = true
            return true
        }
        if start { queue.async { [self] in runRounds() } }
    }

    private func runRounds() {
        while true {
            let round = state.withLock { state -> (waiters: [Waiter], eventual: Bool, syncs: Bool)? in
                guard !state.waiters.isEmpty || state.eventuallyPending || state.syncDue else {
                    state.running = false
                    return nil
                }
                // Only a round no one waits for, with a write stage, may leave its data unsynced.
                let syncs = !state.waiters.isEmpty || state.syncDue || eventualSyncDelay == nil
                let round = (waiters: state.waiters, eventual: state.eventuallyPending || state.syncDue, syncs: syncs)
                state.waiters = []
                state.eventuallyPending = false
                state.syncDue = false
                state.rounds += 1
                if syncs {
                    state.syncs += 1
                    state.unsynced = false
                }
                return round
            }
            guard let (batch, eventual, syncs) = round else { return }
            let result = Result {
                try write?()
                if syncs { try sync() }
            }
            if case .failure(let error) = result, eventual { onEventualFailure(error) }
            if !syncs, case .success = result { scheduleSync() }
            for waiter in batch { waiter(result) }
        }
    }

    /// After an eventual round wrote without syncing: a sync within `eventualSyncDelay`, unless a
    /// round that syncs comes first.
    private func scheduleSync() {
        guard let delay = eventualSyncDelay else { return }
        let schedule = state.withLock { state -> Bool in
            state.unsynced = true
            guard !state.syncScheduled else { return false }
            state.syncScheduled = true
            return true
        }
        guard schedule else { return }
        queue.asyncAfter(deadline: .now() + delay) { [self] in
            startRounds { state in
                state.syncScheduled = false
                guard state.unsynced else { return false }
                state.syncDue = true
                return true
            }
        }
    }

    /// On the queue, at a scheduled deadline: `due` (under the lock) says whether there is work
    /// for a round; if so and no round is running, the rounds run here.
    private func startRounds(if due: (inout State) -> Bool) {
        let start = state.withLock { state -> Bool in
            guard due(&state), !state.running else { return false }
            state.running = true
            return true
        }
        if start { runRounds() }
    }
}
