/// The slots that run every day (unless a weekly day replaces them).
public struct DailyWindow: Sendable, Hashable, Codable {
    public var slots: [PlanSlot]
    public init(slots: [PlanSlot]) { self.slots = slots }
}
