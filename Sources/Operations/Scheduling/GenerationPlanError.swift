/// Why a plan configuration was refused. Each message names the slot or field and says what to change.
public enum GenerationPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(reason: String)
    case unsupportedVersion(Int)
    case unknownTimeZone(String)
    case negativeGrace(minutes: Int)
    case invalidSlotID(String)
    case duplicateSlotID(String)
    case duplicateWeekday(PlanWeekday)
    case emptyWindow(slotID: String, start: TimeOfDay, end: TimeOfDay)
    case missingField(slotID: String, field: String)
    case invalidCount(slotID: String, count: ImageCount)
    case unknownSlot(String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "plan file \(path) could not be read (\(reason)); check the path and its permissions"
        case let .malformed(reason):
            return "plan configuration is not valid: \(reason)"
        case let .unsupportedVersion(v):
            return "plan configuration version \(v) is not supported; this host reads version 1"
        case let .unknownTimeZone(name):
            return "plan time zone '\(name)' is not a known IANA zone; use a name such as 'Europe/Paris' or 'UTC'"
        case let .negativeGrace(minutes):
            return "plan catchUpGraceMinutes is \(minutes); use 0 or more minutes"
        case let .invalidSlotID(id):
            return "slot id '\(id)' is not usable; use letters, digits, '/', '-', '_' or '.' (no '@', no spaces)"
        case let .duplicateSlotID(id):
            return "slot id '\(id)' appears more than once in the plan; give each slot its own id"
        case let .duplicateWeekday(day):
            return "weekday '\(day.rawValue)' appears more than once in the weekly plan; merge its slots into one entry"
        case let .emptyWindow(id, start, end):
            return "slot '\(id)' ends at \(end), not after its start \(start); windows stay within one day (end may be 24:00)"
        case let .missingField(id, field):
            return "generate slot '\(id)' has no \(field); add it or set \"kind\": \"maintenance\""
        case let .invalidCount(id, count):
            return "slot '\(id)' count \(count) is not valid; use a number ≥ 1 or {\"min\": a, \"max\": b} with 0 ≤ a ≤ b, b ≥ 1"
        case let .unknownSlot(id):
            return "no slot '\(id)' in the plan; `imagegen plan` lists the slot ids"
        }
    }
}
