import Foundation
import Catalog

/// The pure rule that decides what to do with an occurrence that has no record yet.
package enum OccurrenceDecision: Sendable, Hashable {
    /// Its start is still ahead.
    case notYet
    /// Run it now, as scheduled (within its window) or as a catch-up (after it, within the grace).
    case run(SlotRunTrigger)
    /// Too late: record it as missed.
    case missed

    /// `now < start` → not yet; `start ≤ now ≤ end` → scheduled; `end < now ≤ end + grace` → catch-up;
    /// later → missed.
    package static func decide(start: Date, end: Date, now: Date, grace: TimeInterval) -> OccurrenceDecision {
        if now < start { return .notYet }
        if now <= end { return .run(.scheduled) }
        if now <= end.addingTimeInterval(grace) { return .run(.catchUp) }
        return .missed
    }
}
