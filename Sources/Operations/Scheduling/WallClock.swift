import Foundation

/// The source of "now" for everything that schedules, times out or stamps records.
///
/// Injected instead of calling `Date()` directly so that schedules, catch-up windows and alert
/// timings can be tested with a clock the test moves by hand, across days and DST changes.
/// (Named `WallClock` because Swift's own `Clock` protocol measures durations, not calendar instants.)
public protocol WallClock: Sendable {
    /// The current instant.
    var now: Date { get }
}

/// The real system clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}
