import Foundation

/// When a scheduler first ran on this catalog: recorded on the first call, then read back.
///
/// The scheduler ignores occurrences before it (`PlanScheduler.Options.notBefore`), so a fresh
/// install records no "missed" slots for the hours before it existed, while a host restarted
/// after an outage still catches up or records what it missed.
public protocol SchedulerStartStore: Sendable {
    /// The first start recorded, or `now` recorded and returned when there is none. One committed
    /// transaction.
    func firstStart(now: Date) throws -> Date
}
