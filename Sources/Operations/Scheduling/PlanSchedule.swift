import Foundation

/// Turns a validated plan into concrete occurrences (instants) for any range of days.
///
/// DST policy, decided and tested with Europe/Paris:
/// - a local start in the spring-forward gap is moved forward by the gap (02:30 → 03:30 CEST);
/// - a local start in the repeated fall-back hour takes its first occurrence (02:30 CEST), and the
///   slot runs once that day because occurrences are keyed by local date;
/// - a window whose end collapses onto or before its start after resolution keeps its nominal length.
public struct PlanSchedule: Sendable {
    public let plan: GenerationPlan
    public let timeZone: TimeZone

    public init(plan: GenerationPlan) throws(GenerationPlanError) {
        try plan.validate()
        self.plan = plan
        self.timeZone = try plan.resolvedTimeZone()
    }

    /// The catch-up grace period in seconds.
    public var catchUpGrace: TimeInterval { Double(plan.catchUpGraceMinutes) * 60 }

    /// The local date of an instant in the plan's zone.
    public func localDate(of instant: Date) -> CivilDate { CivilDate(instant, in: timeZone) }

    /// The slot with this id, if any.
    public func slot(id: String) -> PlanSlot? { plan.allSlots.first { $0.id == id } }

    /// The occurrences on one local date, ordered by start then slot id.
    public func occurrences(on date: CivilDate) -> [SlotOccurrence] {
        plan.slots(on: date).map { occurrence(of: $0, on: date) }
            .sorted { ($0.start, $0.slotID) < ($1.start, $1.slotID) }
    }

    /// The occurrence of `slot` on `date` (whether or not the plan runs that slot that day).
    public func occurrence(of slot: PlanSlot, on date: CivilDate) -> SlotOccurrence {
        let (start, resolution) = LocalTimeResolver.resolve(date, slot.start, in: timeZone)
        var (end, _) = slot.end.hour == 24
            ? LocalTimeResolver.resolve(date.adding(days: 1), TimeOfDay(hour: 0, minute: 0)!, in: timeZone)
            : LocalTimeResolver.resolve(date, slot.end, in: timeZone)
        if end <= start {
            end = start.addingTimeInterval(Double(slot.end.minutesSinceMidnight - slot.start.minutesSinceMidnight) * 60)
        }
        return SlotOccurrence(slot: slot, localDate: date,
                              occurrenceKey: SlotOccurrence.key(slotID: slot.id, localDate: date),
                              start: start, end: end, startResolution: resolution)
    }

    /// Occurrences whose start lies in `[from, through]`, ordered by start.
    public func occurrences(startingFrom from: Date, through: Date) -> [SlotOccurrence] {
        guard from <= through else { return [] }
        // One day of margin each side: local dates and instants differ by at most ±14 h, and a
        // gap-shifted start can move an hour.
        let first = localDate(of: from).adding(days: -1)
        let last = localDate(of: through).adding(days: 1)
        var result: [SlotOccurrence] = []
        var day = first
        while day <= last {
            result += occurrences(on: day).filter { $0.start >= from && $0.start <= through }
            day = day.adding(days: 1)
        }
        return result.sorted { ($0.start, $0.slotID) < ($1.start, $1.slotID) }
    }

    /// What `imagegen plan` shows: the occurrences running or starting within `days` × 24 hours of `now`, ordered by start.
    public func upcoming(from now: Date, days: Int) -> [SlotOccurrence] {
        guard days > 0 else { return [] }
        // A rolling window, not calendar days: "next 1 day" late in the morning still shows tomorrow's early slots.
        let today = localDate(of: now)
        let horizon = now.addingTimeInterval(Double(days) * 86_400)
        return (0...days).flatMap { occurrences(on: today.adding(days: $0)) }
            .filter { $0.end > now && $0.start < horizon }
            .sorted { ($0.start, $0.slotID) < ($1.start, $1.slotID) }
    }

    /// The first occurrence starting strictly after `instant` (looks up to 8 days ahead), for a loop's wake-up.
    public func nextStart(after instant: Date) -> Date? {
        occurrences(startingFrom: instant.addingTimeInterval(0.001), through: instant.addingTimeInterval(8 * 86_400))
            .first?.start
    }
}
