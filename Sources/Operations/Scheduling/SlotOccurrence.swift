import Foundation

/// One concrete run of a slot on one local date: what `imagegen plan` lists and what the scheduler claims.
public struct SlotOccurrence: Sendable, Hashable, Codable {
    public let slot: PlanSlot
    /// The local date in the plan's zone.
    public let localDate: CivilDate
    /// `<slot id>@<local date>`, e.g. `daily/lingerie@2026-11-25`: unique per occurrence, the key that
    /// makes a slot run at most once.
    public let occurrenceKey: String
    public let start: Date
    public let end: Date
    /// How the start's local time was mapped to an instant (DST gap or overlap).
    public let startResolution: LocalTimeResolution

    public var slotID: String { slot.id }

    public init(slot: PlanSlot, localDate: CivilDate, occurrenceKey: String, start: Date, end: Date,
                startResolution: LocalTimeResolution) {
        self.slot = slot
        self.localDate = localDate
        self.occurrenceKey = occurrenceKey
        self.start = start
        self.end = end
        self.startResolution = startResolution
    }

    /// The canonical key of a slot's occurrence on a local date.
    public static func key(slotID: String, localDate: CivilDate) -> String { "\(slotID)@\(localDate)" }
}
