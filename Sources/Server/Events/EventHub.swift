import Foundation
import Synchronization

/// The recent events of this server, in memory: the last `capacity` are kept so a client that
/// reconnects with `Last-Event-ID` gets what it missed, and waiters (`GET /v1/events`) are woken
/// when one arrives. Subscribers (the webhook outbox) are told of each event as it is published.
final class EventHub: Sendable {
    struct Batch: Sendable {
        var events: [ServerEvent]
        /// The client asked for events older than the oldest kept, or from an earlier server
        /// process: it should reload its state.
        var missed: Bool
        /// The newest event id (the client's next `Last-Event-ID`).
        var latest: Int
    }

    private struct State {
        var events: [ServerEvent] = []
        var nextID = 1
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    let capacity: Int
    private let state = Mutex(State())
    private let subscribers = Mutex<[@Sendable (ServerEvent) -> Void]>([])
    private let clock: @Sendable () -> Date

    init(capacity: Int = 1000, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.capacity = capacity
        self.clock = clock
    }

    func subscribe(_ subscriber: @escaping @Sendable (ServerEvent) -> Void) {
        subscribers.withLock { $0.append(subscriber) }
    }

    @discardableResult
    func publish(_ type: String, _ data: [String: String]) -> ServerEvent {
        let (event, woken) = state.withLock { s -> (ServerEvent, [CheckedContinuation<Void, Never>]) in
            let event = ServerEvent(id: s.nextID, type: type, time: clock(), data: data)
            s.nextID += 1
            s.events.append(event)
            if s.events.count > capacity { s.events.removeFirst(s.events.count - capacity) }
            let woken = Array(s.waiters.values)
            s.waiters = [:]
            return (event, woken)
        }
        for waiter in woken { waiter.resume() }
        for subscriber in subscribers.withLock({ $0 }) { subscriber(event) }
        return event
    }

    var latestID: Int { state.withLock { $0.nextID - 1 } }

    /// The kept events after `after`, without waiting.
    func events(after: Int) -> Batch {
        state.withLock { s in
            let oldest = s.events.first?.id ?? s.nextID
            let latest = s.nextID - 1
            // Events were dropped since `after`, or `after` is from before a restart (ids start over).
            let missed = after + 1 < oldest || after > latest
            return Batch(events: missed ? [] : s.events.filter { $0.id > after }, missed: missed, latest: latest)
        }
    }

    /// The events after `after`; when there are none yet, waits up to `timeout` seconds for one
    /// (or until the calling task is cancelled).
    func wait(after: Int, timeout: Double) async -> Batch {
        let now = events(after: after)
        guard now.events.isEmpty, !now.missed, timeout > 0 else { return now }
        let key = state.withLock { s -> Int in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        // The timer is cancelled once the wait is over, so a stream that waits again and again
        // leaves no sleeping tasks behind.
        let timer = TimerSlot()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { s -> Bool in
                    if s.nextID - 1 > after || Task.isCancelled { return true }
                    s.waiters[key] = c
                    return false
                }
                if ready { c.resume(); return }
                timer.start {
                    try? await Task.sleep(nanoseconds: UInt64(timeout * 1_000_000_000))  // try?: cancelled means the wait ended first; waking then finds no waiter
                    self.wake(key)
                }
            }
        } onCancel: {
            self.wake(key)
        }
        timer.cancel()
        return events(after: after)
    }

    /// The timeout task of one wait.
    private final class TimerSlot: Sendable {
        private let task = Mutex<Task<Void, Never>?>(nil)
        func start(_ body: @escaping @Sendable () async -> Void) { task.withLock { $0 = Task { await body() } } }
        func cancel() { task.withLock { $0?.cancel() } }
    }

    /// Answers every waiting client now (shutdown: their `EventSource` reconnects elsewhere).
    func wakeAll() {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    private func wake(_ key: Int) {
        state.withLock { $0.waiters.removeValue(forKey: key) }?.resume()
    }
}
