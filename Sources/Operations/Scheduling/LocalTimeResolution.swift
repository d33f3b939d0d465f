import Foundation

/// How a local wall-clock time in a plan's zone became an instant.
public enum LocalTimeResolution: String, Sendable, Hashable, Codable {
    /// The local time exists exactly once.
    case exact
    /// The local time falls in a spring-forward gap (e.g. 02:30 in Paris on the last Sunday of March);
    /// it is moved forward by the gap's length (02:30 → 03:30 summer time), as most schedulers do,
    /// so the slot still runs that day.
    case shiftedForwardOverGap
    /// The local time occurs twice (fall-back, e.g. 02:30 in Paris on the last Sunday of October);
    /// the first occurrence (summer time) is used. The slot runs once: an occurrence is keyed by
    /// slot and local date, never by instant.
    case firstOfRepeated
}

/// Turns (local date, wall time, zone) into an instant under the DST policy of `LocalTimeResolution`.
///
/// Foundation's `Calendar.date(from:)` leaves the gap/overlap choice to ICU; the policy here is
/// explicit and tested instead.
enum LocalTimeResolver {
    static func resolve(_ date: CivilDate, _ time: TimeOfDay, in zone: TimeZone) -> (Date, LocalTimeResolution) {
        // Wall time expressed as if it were UTC.
        let wall = date.utcMidnight.addingTimeInterval(Double(time.minutesSinceMidnight) * 60)
        // Offsets in force a little before and after: a zone changes offset at most once within ±14 h in practice.
        let before = zone.secondsFromGMT(for: wall.addingTimeInterval(-14 * 3600))
        let after = zone.secondsFromGMT(for: wall.addingTimeInterval(14 * 3600))
        let candidates = Set([before, after]).compactMap { offset -> Date? in
            let instant = wall.addingTimeInterval(-Double(offset))
            return zone.secondsFromGMT(for: instant) == offset ? instant : nil
        }.sorted()
        switch candidates.count {
        case 1:
            return (candidates[0], .exact)
        case 0:
            // In the gap: keep the earlier offset, which lands after the transition by the gap length.
            return (wall.addingTimeInterval(-Double(before)), .shiftedForwardOverGap)
        default:
            return (candidates[0], .firstOfRepeated)
        }
    }
}
