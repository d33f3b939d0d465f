import Foundation
import XCTest
@testable import Host
@testable import ImagegenTestSupport
@testable import Operations

final class SchedulingScheduleTests: XCTestCase {
    private let paris = TimeZone(identifier: "Europe/Paris")!

    func testOccurrencesOfAWinterWednesdayInParis() throws {
        let schedule = try PlanSchedule(plan: .productDefault)
        let day = CivilDate(parsing: "2026-11-25")!  // Wednesday, CET (UTC+1)
        let occ = schedule.occurrences(on: day)
        XCTAssertEqual(occ.map(\.occurrenceKey), [
            "daily/lingerie@2026-11-25", "daily/feet@2026-11-25", "daily/artistic_nude@2026-11-25",
            "daily/organise@2026-11-25", "weekly/wednesday-artistic_nude@2026-11-25",
        ])
        XCTAssertEqual(occ[0].start, schedulingInstant("2026-11-25T05:00:00Z"))
        XCTAssertEqual(occ[0].end, schedulingInstant("2026-11-25T05:30:00Z"))
        XCTAssertEqual(occ[4].start, schedulingInstant("2026-11-25T07:00:00Z"))
        XCTAssertTrue(occ.allSatisfy { $0.startResolution == .exact })
    }

    func testSummerTimeShiftsTheInstantNotTheWallTime() throws {
        let schedule = try PlanSchedule(plan: .productDefault)
        let summer = schedule.occurrences(on: CivilDate(parsing: "2026-07-01")!)  // CEST (UTC+2)
        XCTAssertEqual(summer[0].start, schedulingInstant("2026-07-01T04:00:00Z"))
    }

    func testWeekBoundarySundayIsReducedAndMondayHasItsTheme() throws {
        let schedule = try PlanSchedule(plan: .productDefault)
        // Sunday 2026-11-29 then Monday 2026-11-30.
        let sunday = schedule.occurrences(on: CivilDate(parsing: "2026-11-29")!).map(\.slotID)
        XCTAssertEqual(sunday, ["weekly/sunday-lingerie", "weekly/sunday-feet", "weekly/sunday-organise"])
        let monday = schedule.occurrences(on: CivilDate(parsing: "2026-11-30")!).map(\.slotID)
        XCTAssertEqual(monday, ["daily/lingerie", "daily/feet", "daily/artistic_nude", "daily/organise",
                                "weekly/monday-lingerie"])
        // Crossing a year boundary keeps keys on the local date.
        let newYear = schedule.occurrences(on: CivilDate(parsing: "2027-01-01")!)
        XCTAssertEqual(newYear.first?.occurrenceKey, "daily/lingerie@2027-01-01")
        XCTAssertEqual(newYear.last?.slotID, "weekly/friday-feet")
    }

    func testUpcomingSevenDaysFromMidMorning() throws {
        let schedule = try PlanSchedule(plan: .productDefault)
        // Wednesday 2026-11-25 07:10 Paris: lingerie and feet are over, artistic nude is running.
        let now = schedulingInstant("2026-11-25T06:10:00Z")
        let upcoming = schedule.upcoming(from: now, days: 7)
        XCTAssertEqual(upcoming.first?.occurrenceKey, "daily/artistic_nude@2026-11-25")
        // Wed: 3 left (nude, organise, weekly). Thu, Fri, Sat, Mon, Tue: 5 each; Sun: 3; and the next
        // Wednesday's slots that start before 07:10 (lingerie, feet, artistic nude): a rolling 7 × 24 h.
        XCTAssertEqual(upcoming.count, 3 + 5 * 5 + 3 + 3)
        XCTAssertEqual(upcoming.last?.occurrenceKey, "daily/artistic_nude@2026-12-02")
        XCTAssertEqual(upcoming.map(\.start), upcoming.map(\.start).sorted())
        XCTAssertEqual(Set(upcoming.map(\.occurrenceKey)).count, upcoming.count)
    }

    func testSpringForwardGapSlotMovesForwardByTheGap() throws {
        let plan = schedulingTestPlan(lingerieStart: "02:30", lingerieEnd: "03:00")
        let schedule = try PlanSchedule(plan: plan)
        // 2026-03-29: Paris jumps from 02:00 CET to 03:00 CEST; 02:30 does not exist.
        let occ = schedule.occurrences(on: CivilDate(parsing: "2026-03-29")!)[0]
        XCTAssertEqual(occ.startResolution, .shiftedForwardOverGap)
        XCTAssertEqual(occ.start, schedulingInstant("2026-03-29T01:30:00Z"))  // 03:30 CEST
        XCTAssertGreaterThan(occ.end, occ.start, "the window keeps a length even though its end (03:00) came first")
        XCTAssertEqual(occ.end.timeIntervalSince(occ.start), 30 * 60)
        // The day before and after are ordinary.
        XCTAssertEqual(schedule.occurrences(on: CivilDate(parsing: "2026-03-28")!)[0].start,
                       schedulingInstant("2026-03-28T01:30:00Z"))
        XCTAssertEqual(schedule.occurrences(on: CivilDate(parsing: "2026-03-30")!)[0].start,
                       schedulingInstant("2026-03-30T00:30:00Z"))
        // A 06:00 slot that day is simply 06:00 CEST.
        let morning = try PlanSchedule(plan: schedulingTestPlan()).occurrences(on: CivilDate(parsing: "2026-03-29")!)[0]
        XCTAssertEqual(morning.start, schedulingInstant("2026-03-29T04:00:00Z"))
        XCTAssertEqual(morning.startResolution, .exact)
    }

    func testFallBackRepeatedHourSlotTakesTheFirstOccurrence() throws {
        let plan = schedulingTestPlan(lingerieStart: "02:30", lingerieEnd: "03:00")
        let schedule = try PlanSchedule(plan: plan)
        // 2026-10-25: Paris goes from 03:00 CEST back to 02:00 CET; 02:30 happens twice.
        let day = CivilDate(parsing: "2026-10-25")!
        let occs = schedule.occurrences(on: day).filter { $0.slotID == "daily/lingerie" }
        XCTAssertEqual(occs.count, 1)
        XCTAssertEqual(occs[0].startResolution, .firstOfRepeated)
        XCTAssertEqual(occs[0].start, schedulingInstant("2026-10-25T00:30:00Z"))  // 02:30 CEST
        // Its end, 03:00, exists once (CET), so the window spans the repeated hour: 1 h 30 min.
        XCTAssertEqual(occs[0].end, schedulingInstant("2026-10-25T02:00:00Z"))
        // Asking by instant over the whole night still finds exactly one occurrence.
        let night = schedule.occurrences(startingFrom: schedulingInstant("2026-10-24T22:00:00Z"),
                                         through: schedulingInstant("2026-10-25T03:00:00Z"))
        XCTAssertEqual(night.map(\.occurrenceKey), ["daily/lingerie@2026-10-25"])
    }

    func testFallBackNightRunsTheSlotOnceWhenTickingEveryFiveMinutes() async throws {
        let plan = schedulingTestPlan(lingerieStart: "02:30", lingerieEnd: "03:00", count: ImageCount(exactly: 2))
        let clock = ManualWallClock(schedulingInstant("2026-10-24T23:00:00Z"))
        let store = InMemorySlotRunStore()
        let queue = SchedulingFakeJobQueue()
        let scheduler = PlanScheduler(schedule: try PlanSchedule(plan: plan), store: store, clock: clock,
                                      actions: SlotActions(queueJobs: { try queue.queue($0) }),
                                      options: .init(notBefore: clock.now))
        while clock.now < schedulingInstant("2026-10-25T03:00:00Z") {
            await scheduler.tick()
            clock.advance(by: 300)
        }
        XCTAssertEqual(queue.jobCount, 2)
        XCTAssertEqual(queue.calls, 1)
        XCTAssertEqual(try store.run(occurrenceKey: "daily/lingerie@2026-10-25")?.status, .queued)
    }

    func testEndOfDayAndNextStart() throws {
        let plan = GenerationPlan(timeZone: "Europe/Paris", daily: DailyWindow(slots: [
            PlanSlot(id: "late", start: TimeOfDay(hour: 23, minute: 30)!, end: TimeOfDay(parsing: "24:00")!,
                     kind: .maintenance),
        ]))
        let schedule = try PlanSchedule(plan: plan)
        let occ = schedule.occurrences(on: CivilDate(parsing: "2026-11-25")!)[0]
        XCTAssertEqual(occ.end, schedulingInstant("2026-11-25T23:00:00Z"))
        XCTAssertEqual(schedule.nextStart(after: schedulingInstant("2026-11-25T22:30:00Z")),
                       schedulingInstant("2026-11-26T22:30:00Z"))
    }

    func testLocalTimeResolverInOtherZones() {
        // New York spring forward 2026-03-08 02:00 → 03:00: 02:15 → 03:15 EDT = 07:15 UTC.
        let ny = TimeZone(identifier: "America/New_York")!
        let (gap, kind) = LocalTimeResolver.resolve(CivilDate(parsing: "2026-03-08")!, TimeOfDay(hour: 2, minute: 15)!, in: ny)
        XCTAssertEqual(kind, .shiftedForwardOverGap)
        XCTAssertEqual(gap, schedulingInstant("2026-03-08T07:15:00Z"))
        // UTC never shifts.
        let (plain, plainKind) = LocalTimeResolver.resolve(CivilDate(parsing: "2026-03-29")!, TimeOfDay(hour: 2, minute: 30)!,
                                                          in: TimeZone(identifier: "UTC")!)
        XCTAssertEqual(plainKind, .exact)
        XCTAssertEqual(plain, schedulingInstant("2026-03-29T02:30:00Z"))
        XCTAssertEqual(CivilDate(schedulingInstant("2026-11-24T23:30:00Z"), in: paris).description, "2026-11-25")
    }
}
