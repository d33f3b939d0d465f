import Foundation
import Synchronization
import Operations

/// A clock that only moves when told to: for tests and for replaying a day's schedule.
package final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    package init(_ start: Date) { current = Mutex(start) }

    package var now: Date { current.withLock { $0 } }

    /// Moves the clock to `date` (it may go backwards, which is how a test simulates a wrong clock).
    package func set(_ date: Date) { current.withLock { $0 = date } }

    /// Moves the clock forward by `seconds`.
    package func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
