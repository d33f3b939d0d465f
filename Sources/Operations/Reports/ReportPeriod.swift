import Foundation

/// The span a report covers: one local day or one ISO 8601 week (Monday to Sunday), in a time zone.
package enum ReportPeriod: Sendable, Hashable, Codable, CustomStringConvertible {
    case day(CivilDate)
    case isoWeek(year: Int, week: Int)

    /// Parses "2026-11-25" (a day) or "2026-W48" (an ISO week); nil when neither or the week doesn't exist.
    package init?(parsing text: String) {
        if let day = CivilDate(parsing: text) {
            self = .day(day)
            return
        }
        let parts = text.uppercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]),
              parts[1].hasPrefix("W"), (2...3).contains(parts[1].count), let week = Int(parts[1].dropFirst()),
              (1...Self.isoWeeks(in: year)).contains(week) else { return nil }
        self = .isoWeek(year: year, week: week)
    }

    /// The ISO week containing `date`.
    package static func isoWeek(containing date: CivilDate) -> ReportPeriod {
        // The ISO week-year is the year of the week's Thursday.
        let weekdayIndex = PlanWeekday.allCases.firstIndex(of: date.weekday)!  // Monday = 0
        let thursday = date.adding(days: 3 - weekdayIndex)
        let firstMonday = mondayOfWeekOne(thursday.year)
        return .isoWeek(year: thursday.year, week: firstMonday.days(until: date) / 7 + 1)
    }

    /// "2026-11-25" or "2026-W48".
    package var description: String {
        switch self {
        case let .day(d): return d.description
        case let .isoWeek(y, w): return "\(y)-W\(w < 10 ? "0" : "")\(w)"
        }
    }

    /// "day" or "week".
    package var kind: String {
        if case .day = self { return "day" }
        return "week"
    }

    /// The local dates covered, first to last.
    package var dates: [CivilDate] {
        switch self {
        case let .day(d):
            return [d]
        case let .isoWeek(y, w):
            let monday = Self.mondayOfWeekOne(y).adding(days: 7 * (w - 1))
            return (0..<7).map { monday.adding(days: $0) }
        }
    }

    /// `[start, end)` as instants: local midnight of the first date to local midnight after the last
    /// (so a day with a DST change is 23 or 25 hours long).
    package func interval(in zone: TimeZone) -> (start: Date, end: Date) {
        let dates = self.dates
        let midnight = TimeOfDay(hour: 0, minute: 0)!
        return (LocalTimeResolver.resolve(dates.first!, midnight, in: zone).0,
                LocalTimeResolver.resolve(dates.last!.adding(days: 1), midnight, in: zone).0)
    }

    /// The period just before (yesterday, last week): the comparison base for trends.
    package var previous: ReportPeriod {
        switch self {
        case let .day(d):
            return .day(d.adding(days: -1))
        case .isoWeek:
            return Self.isoWeek(containing: dates[0].adding(days: -7))
        }
    }

    static func mondayOfWeekOne(_ year: Int) -> CivilDate {
        // 4 January is always in week 1.
        let jan4 = CivilDate(year: year, month: 1, day: 4)!
        return jan4.adding(days: -PlanWeekday.allCases.firstIndex(of: jan4.weekday)!)
    }

    static func isoWeeks(in year: Int) -> Int {
        guard let dec28 = CivilDate(year: year, month: 12, day: 28),
              case let .isoWeek(_, week) = isoWeek(containing: dec28) else { return 52 }
        return week
    }

    private enum Keys: String, CodingKey { case kind, label }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let label = try c.decode(String.self, forKey: .label)
        guard let parsed = ReportPeriod(parsing: label) else {
            throw DecodingError.dataCorruptedError(forKey: .label, in: c, debugDescription: "'\(label)' is not a day or ISO week")
        }
        self = parsed
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(description, forKey: .label)
    }
}
