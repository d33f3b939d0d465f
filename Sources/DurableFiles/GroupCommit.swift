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
        var rounds = 0
    }

    private let sync: Sync
    private let queue: DispatchQueue
    private let eventualDelay: DispatchTimeInterval
    private let onEventualFailure: @Sendable (any Error) -> Void
    private let state = Mutex(State())

    /// - Parameters:
    ///   - eventualDelay: how long data written with `eventually()` may stay unsynced when no
    ///     one else asks for a sync (a few milliseconds: that is the window such data shares).
    ///   - onEventualFailure: where a failed sync that no waiter asked for is reported (the
    ///     host's log), so a failure is never dropped.
    package init(label: String, eventualDelay: DispatchTimeInterval = .milliseconds(5),
                 onEventualFailure: @escaping @Sendable (any Error) -> Void, sync: @escaping Sync) {
        self.sync = sync
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

    /// Asks for a sync within `eventualDelay` without waiting for it: for data whose loss in a
    /// crash is acceptable but which must not stay unsynced for long (the audit entry of a read).
    package func eventually() {
        let schedule = state.withLock { state -> Bool in
            state.eventuallyPending = true
            guard !state.running, !state.eventuallyScheduled else { return false }
            state.eventuallyScheduled = true
            return true
        }
        guard schedule else { return }
        queue.asyncAfter(deadline: .now() + eventualDelay) { [self] in
            let start = state.withLock { state -> Bool in
                state.eventuallyScheduled = false
                guard !state.running, state.eventuallyPending else { return false }
                state.running = true
                return true
            }
            if start { runRounds() }
        }
    }

    /// Syncs run so far (tests and benchmarks count them).
    package var rounds: Int { state.withLock { $0.rounds } }

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
            let round = state.withLock { state -> (waiters: [Waiter], eventual: Bool)? in
                guard !state.waiters.isEmpty || state.eventuallyPending else {
                    state.running = false
                    return nil
                }
                let round = (waiters: state.waiters, eventual: state.eventuallyPending)
                state.waiters = []
                state.eventuallyPending = false
                state.rounds += 1
                return round
            }
            guard let (batch, eventual) = round else { return }
            let result = Result { try sync() }
            if case .failure(let error) = result, eventual { onEventualFailure(error) }
            for waiter in batch { waiter(result) }
        }
    }
}
