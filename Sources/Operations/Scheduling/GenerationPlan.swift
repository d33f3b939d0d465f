import Foundation

/// The generation plan: what to make on which days and at which times, in one explicit time zone.
///
/// The daily window runs every day; each weekday may add slots, or replace the daily window
/// (`replacesDaily`). Everything is local wall-clock time in `timeZone` (an IANA name), so
/// "06:00" stays 06:00 for the operator across DST changes. See `PlanSchedule` for how
/// nonexistent and repeated local times are resolved.
public struct GenerationPlan: Sendable, Hashable, Codable {
    public var version: Int
    /// IANA time zone name, e.g. "Europe/Paris".
    public var timeZone: String
    /// How long after a slot's end a host that was down may still run it ("catch up");
    /// after that the occurrence is recorded as missed.
    public var catchUpGraceMinutes: Int
    public var daily: DailyWindow
    public var weekly: [WeeklyPlanDay]

    public init(version: Int = 1, timeZone: String, catchUpGraceMinutes: Int = 60,
                daily: DailyWindow, weekly: [WeeklyPlanDay] = []) {
        self.version = version
        self.timeZone = timeZone
        self.catchUpGraceMinutes = catchUpGraceMinutes
        self.daily = daily
        self.weekly = weekly
    }

    private enum Keys: String, CodingKey { case version, timeZone, catchUpGraceMinutes, daily, weekly }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        timeZone = try c.decode(String.self, forKey: .timeZone)
        catchUpGraceMinutes = try c.decodeIfPresent(Int.self, forKey: .catchUpGraceMinutes) ?? 60
        daily = try c.decodeIfPresent(DailyWindow.self, forKey: .daily) ?? DailyWindow(slots: [])
        weekly = try c.decodeIfPresent([WeeklyPlanDay].self, forKey: .weekly) ?? []
    }

    /// Decodes and validates a plan from JSON.
    public static func decode(_ data: Data) throws(GenerationPlanError) -> GenerationPlan {
        let plan: GenerationPlan
        do {
            plan = try JSONDecoder().decode(GenerationPlan.self, from: data)
        } catch let error as DecodingError {
            throw .malformed(reason: Self.explain(error))
        } catch {
            throw .malformed(reason: String(describing: error))
        }
        try plan.validate()
        return plan
    }

    /// Loads and validates a plan file.
    public static func load(from url: URL) throws(GenerationPlanError) -> GenerationPlan {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data)
    }

    /// The plan as pretty JSON with sorted keys (what `imagegen plan --json` and a default config file show).
    public func encodedJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The resolved time zone (validated by `validate()`).
    public func resolvedTimeZone() throws(GenerationPlanError) -> TimeZone {
        guard let zone = TimeZone(identifier: timeZone) else { throw .unknownTimeZone(timeZone) }
        return zone
    }

    /// Every slot of the plan, daily first, then weekly in the order written.
    public var allSlots: [PlanSlot] { daily.slots + weekly.flatMap(\.slots) }

    /// The slots that run on `date` (a local date in the plan's zone).
    public func slots(on date: CivilDate) -> [PlanSlot] {
        let weekday = date.weekday
        let day = weekly.first { $0.day == weekday }
        return (day?.replacesDaily == true ? [] : daily.slots) + (day?.slots ?? [])
    }

    /// Checks everything a scheduler relies on; the first problem is thrown.
    public func validate() throws(GenerationPlanError) {
        guard version == 1 else { throw .unsupportedVersion(version) }
        _ = try resolvedTimeZone()
        guard catchUpGraceMinutes >= 0 else { throw .negativeGrace(minutes: catchUpGraceMinutes) }
        var seenDays = Set<PlanWeekday>()
        for day in weekly {
            guard seenDays.insert(day.day).inserted else { throw .duplicateWeekday(day.day) }
        }
        var seenIDs = Set<String>()
        for slot in allSlots {
            try Self.validate(slot)
            guard seenIDs.insert(slot.id).inserted else { throw .duplicateSlotID(slot.id) }
        }
    }

    private static let idCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.")

    private static func validate(_ slot: PlanSlot) throws(GenerationPlanError) {
        guard !slot.id.isEmpty, slot.id.count <= 100, slot.id.allSatisfy({ idCharacters.contains($0) }) else {
            throw .invalidSlotID(slot.id)
        }
        guard slot.end > slot.start else { throw .emptyWindow(slotID: slot.id, start: slot.start, end: slot.end) }
        guard slot.kind == .generate else { return }
        guard let category = slot.category, !category.isEmpty else { throw .missingField(slotID: slot.id, field: "category") }
        guard let templates = slot.templates, !templates.names.isEmpty, !templates.names.contains("") else {
            throw .missingField(slotID: slot.id, field: "template or templates")
        }
        guard let count = slot.count else { throw .missingField(slotID: slot.id, field: "count") }
        guard count.min >= 0, count.max >= count.min, count.max >= 1, count.max <= 1000 else {
            throw .invalidCount(slotID: slot.id, count: count)
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "top level" : String(p.drop(while: { $0 == "." }))
        }
        switch error {
        case let .keyNotFound(key, context):
            return "missing key '\(key.stringValue)' at \(path(context))"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case let .dataCorrupted(context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default:
            return String(describing: error)
        }
    }
}
