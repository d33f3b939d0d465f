/// One day of the weekly plan: extra slots for that weekday, and whether they replace the daily window.
///
/// `replacesDaily: true` is how a lighter day ("Sunday reduced") is written: that day runs only its own slots.
public struct WeeklyPlanDay: Sendable, Hashable, Codable {
    public var day: PlanWeekday
    public var replacesDaily: Bool
    public var slots: [PlanSlot]

    public init(day: PlanWeekday, replacesDaily: Bool = false, slots: [PlanSlot]) {
        self.day = day
        self.replacesDaily = replacesDaily
        self.slots = slots
    }

    private enum Keys: String, CodingKey { case day, replacesDaily, slots }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        day = try c.decode(PlanWeekday.self, forKey: .day)
        replacesDaily = try c.decodeIfPresent(Bool.self, forKey: .replacesDaily) ?? false
        slots = try c.decodeIfPresent([PlanSlot].self, forKey: .slots) ?? []
    }
}
