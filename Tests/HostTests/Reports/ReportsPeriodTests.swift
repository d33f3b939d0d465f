import Foundation
import XCTest
@testable import Host
@testable import Operations

final class ReportsPeriodTests: XCTestCase {
    private let paris = TimeZone(identifier: "Europe/Paris")!

    private func instant(_ text: String) -> Date {
        let f = ISO8601DateFormatter()
        return f.date(from: text)!
    }

    func testParsing() {
        XCTAssertEqual(ReportPeriod(parsing: "2026-11-25"), .day(CivilDate(parsing: "2026-11-25")!))
        XCTAssertEqual(ReportPeriod(parsing: "2026-W48"), .isoWeek(year: 2026, week: 48))
        XCTAssertEqual(ReportPeriod(parsing: "2026-w05"), .isoWeek(year: 2026, week: 5))
        XCTAssertEqual(ReportPeriod(parsing: "2026-W53"), .isoWeek(year: 2026, week: 53))  // 2026 starts on a Thursday
        XCTAssertNil(ReportPeriod(parsing: "2025-W53"))
        XCTAssertNil(ReportPeriod(parsing: "2026-W00"))
        XCTAssertNil(ReportPeriod(parsing: "yesterday"))
        XCTAssertEqual(ReportPeriod.isoWeek(year: 2026, week: 5).description, "2026-W05")
    }

    func testISOWeeksAcrossYearBoundaries() {
        XCTAssertEqual(ReportPeriod.isoWeek(year: 2026, week: 48).dates.map(\.description).first, "2026-11-23")
        XCTAssertEqual(ReportPeriod.isoWeek(year: 2026, week: 48).dates.last?.description, "2026-11-29")
        XCTAssertEqual(ReportPeriod.isoWeek(year: 2026, week: 1).dates.first?.description, "2025-12-29")
        XCTAssertEqual(ReportPeriod.isoWeek(containing: CivilDate(parsing: "2027-01-01")!), .isoWeek(year: 2026, week: 53))
        XCTAssertEqual(ReportPeriod.isoWeek(containing: CivilDate(parsing: "2025-12-31")!), .isoWeek(year: 2026, week: 1))
        XCTAssertEqual(ReportPeriod.isoWeek(containing: CivilDate(parsing: "2026-11-29")!), .isoWeek(year: 2026, week: 48))
        XCTAssertEqual(ReportPeriod.isoWeek(year: 2026, week: 1).previous, .isoWeek(year: 2025, week: 52))
        XCTAssertEqual(ReportPeriod.day(CivilDate(parsing: "2026-03-01")!).previous, .day(CivilDate(parsing: "2026-02-28")!))
    }

    func testIntervalsFollowLocalMidnightsAcrossDST() {
        let (start, end) = ReportPeriod.day(CivilDate(parsing: "2026-03-29")!).interval(in: paris)
        XCTAssertEqual(start, instant("2026-03-28T23:00:00Z"))
        XCTAssertEqual(end.timeIntervalSince(start), 23 * 3600, "spring-forward day is 23 hours")
        let fall = ReportPeriod.day(CivilDate(parsing: "2026-10-25")!).interval(in: paris)
        XCTAssertEqual(fall.end.timeIntervalSince(fall.start), 25 * 3600)
        let week = ReportPeriod.isoWeek(year: 2026, week: 48).interval(in: paris)
        XCTAssertEqual(week.start, instant("2026-11-22T23:00:00Z"))
        XCTAssertEqual(week.end, instant("2026-11-29T23:00:00Z"))
    }
}
