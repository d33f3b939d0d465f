import Synchronization

/// The sleep of a polling loop that `wake()` ends early: a loop that looks again at once when
/// there is news, and at its interval otherwise.
///
/// The timer of a sleep that was woken is cancelled, and a timer only ever ends its own sleep:
/// a timer left running would end the next sleep early, that one's timer the one after, and each
/// wake-up would add a tick to the loop for good. A `wake()` while nobody sleeps ends the next
/// sleep at once, so news that arrives while the loop works is not lost.
package final class WakeableSleep: Sendable {
    private struct State {
        var sleeper: CheckedContinuation<Void, Never>?
        var timer: Task<Void, Never>?
        /// Which sleep the timer belongs to.
        var sleep = 0
        var wokenEarly = false
    }

    private let state = Mutex(State())

    package init() {}

    /// Returns after `duration`, at a `wake()`, or at once after a `wake()` nobody slept through.
    /// One caller at a time (the loop that owns it).
    package func sleep(for duration: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let woken = state.withLock { s -> Bool in
                if s.wokenEarly {
                    s.wokenEarly = false
                    return true
                }
                s.sleep += 1
                let sleep = s.sleep
                s.sleeper = continuation
                s.timer = Task { [weak self] in
                    do { try await Task.sleep(for: duration) } catch { return }  // cancelled: woken first
                    self?.end(sleep)
                }
                return false
            }
            if woken { continuation.resume() }
        }
    }

    /// Ends the current sleep now, or the next one at once when nobody sleeps.
    package func wake() {
        let sleeper = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let sleeper = s.sleeper else {
                s.wokenEarly = true
                return nil
            }
            s.sleeper = nil
            s.timer?.cancel()
            s.timer = nil
            return sleeper
        }
        sleeper?.resume()
    }

    /// The timer of sleep number `sleep` fired: it ends that sleep only.
    private func end(_ sleep: Int) {
        let sleeper = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard s.sleep == sleep, let sleeper = s.sleeper else { return nil }
            s.sleeper = nil
            s.timer = nil
            return sleeper
        }
        sleeper?.resume()
    }
}
