import Synchronization

/// A plugin's calls in flight (`limits.max_in_flight`): a job whose call would exceed it waits
/// here, without a thread, so a hung plugin holds at most its own slots and every other
/// plugin's jobs keep running. A slot is held until the call really returns (an abandoned
/// in-process call keeps its slot: its thread is still inside the plugin).
package final class PluginCallGate: Sendable {
    private struct State {
        var capacity: Int
        var inUse = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state: Mutex<State>

    package init(capacity: Int) { state = Mutex(State(capacity: max(1, capacity))) }

    package var inUse: Int { state.withLock { $0.inUse } }
    package var capacity: Int { state.withLock { $0.capacity } }

    /// Takes a slot without waiting; false when all are taken.
    package func tryAcquire() -> Bool {
        state.withLock { s in
            guard s.inUse < s.capacity else { return false }
            s.inUse += 1
            return true
        }
    }

    /// Takes a slot, waiting for one if needed. Returns whether it had to wait.
    @discardableResult
    package func acquire() async -> Bool {
        if tryAcquire() { return false }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now: Bool = state.withLock { s in
                if s.inUse < s.capacity {
                    s.inUse += 1
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
        return true
    }

    /// Gives a slot back: to the first waiter if there is one (the slot passes to it).
    package func release() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { s in
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.inUse -= 1
            return nil
        }
        next?.resume()
    }
}
