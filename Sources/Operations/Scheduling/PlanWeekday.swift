/// A day of the week, Monday first (ISO 8601), spelled in lowercase English in config.
public enum PlanWeekday: String, Sendable, Hashable, Codable, CaseIterable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday
}
