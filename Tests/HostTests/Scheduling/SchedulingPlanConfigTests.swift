import Foundation
import XCTest
@testable import Host
@testable import Operations

final class SchedulingPlanConfigTests: XCTestCase {
    func testDefaultPlanIsTheProductExample() throws {
        let plan = GenerationPlan.productDefault
        XCTAssertEqual(plan.timeZone, "Europe/Paris")
        let daily = plan.daily.slots
        XCTAssertEqual(daily.map(\.id), ["daily/lingerie", "daily/feet", "daily/artistic_nude", "daily/organise"])
        XCTAssertEqual(daily.map { "\($0.start)-\($0.end)" },
                       ["06:00-06:30", "06:30-07:00", "07:00-07:30", "07:30-08:00"])
        XCTAssertEqual(daily.map(\.category), ["lingerie", "feet", "artistic_nude", nil])
        XCTAssertEqual(daily[0].count, ImageCount(min: 2, max: 3))
        XCTAssertEqual(daily[1].count, ImageCount(min: 1, max: 2))
        XCTAssertEqual(daily[2].count, ImageCount(min: 1, max: 2))
        XCTAssertEqual(daily[3].kind, .maintenance)

        func weekly(_ day: PlanWeekday) -> [PlanSlot] { plan.weekly.first { $0.day == day }?.slots ?? [] }
        XCTAssertEqual(weekly(.monday).map { "\($0.category!) \($0.count!)" }, ["lingerie 5"])
        XCTAssertEqual(weekly(.tuesday).map { "\($0.category!) \($0.count!)" }, ["feet 3"])
        XCTAssertEqual(weekly(.wednesday).map { "\($0.category!) \($0.count!)" }, ["artistic_nude 3"])
        XCTAssertEqual(weekly(.thursday).map { "\($0.category!) \($0.count!)" }, ["lingerie 5"])
        XCTAssertEqual(weekly(.friday).map { "\($0.category!) \($0.count!)" }, ["feet 3"])
        XCTAssertEqual(weekly(.saturday).first?.note, "weekend special")
        XCTAssertEqual(plan.weekly.first { $0.day == .sunday }?.replacesDaily, true)
    }

    func testRoundTripThroughJSONKeepsThePlan() throws {
        let plan = GenerationPlan.productDefault
        let again = try GenerationPlan.decode(plan.encodedJSON())
        XCTAssertEqual(again, plan)
        let text = String(decoding: try plan.encodedJSON(), as: UTF8.self)
        XCTAssertTrue(text.contains(#""template" : "feet_closeup""#), text)
        XCTAssertTrue(text.contains(#""max" : 3"#))
    }

    func testShorthandsDecode() throws {
        let json = #"""
        {"timeZone": "UTC", "daily": {"slots": [
          {"id": "a", "start": "6:00", "end": "06:30", "category": "feet", "template": "feet_closeup", "count": 2}
        ]}}
        """#
        let plan = try GenerationPlan.decode(Data(json.utf8))
        XCTAssertEqual(plan.catchUpGraceMinutes, 60)
        XCTAssertEqual(plan.daily.slots[0].templates?.names, ["feet_closeup"])
        XCTAssertEqual(plan.daily.slots[0].count, ImageCount(exactly: 2))
        XCTAssertEqual(plan.daily.slots[0].kind, .generate)
    }

    func testValidationNamesTheProblem() {
        func error(_ json: String) -> GenerationPlanError? {
            do { _ = try GenerationPlan.decode(Data(json.utf8)); return nil } catch { return error }
        }
        let slot = #""category": "feet", "template": "t", "count": 1"#
        XCTAssertEqual(error(#"{"timeZone": "Mars/Olympus", "daily": {"slots": []}}"#), .unknownTimeZone("Mars/Olympus"))
        XCTAssertEqual(error(#"{"timeZone": "UTC", "daily": {"slots": [{"id": "a", "start": "07:00", "end": "06:00", \#(slot)}]}}"#),
                       .emptyWindow(slotID: "a", start: TimeOfDay(hour: 7, minute: 0)!, end: TimeOfDay(hour: 6, minute: 0)!))
        XCTAssertEqual(error(#"{"timeZone": "UTC", "daily": {"slots": [{"id": "a", "start": "06:00", "end": "07:00", \#(slot)}, {"id": "a", "start": "08:00", "end": "09:00", \#(slot)}]}}"#),
                       .duplicateSlotID("a"))
        XCTAssertEqual(error(#"{"timeZone": "UTC", "daily": {"slots": [{"id": "a@b", "start": "06:00", "end": "07:00", \#(slot)}]}}"#),
                       .invalidSlotID("a@b"))
        XCTAssertEqual(error(#"{"timeZone": "UTC", "daily": {"slots": [{"id": "a", "start": "06:00", "end": "07:00", "category": "feet", "count": 1}]}}"#),
                       .missingField(slotID: "a", field: "template or templates"))
        XCTAssertEqual(error(#"{"timeZone": "UTC", "daily": {"slots": [{"id": "a", "start": "06:00", "end": "07:00", "category": "feet", "template": "t", "count": {"min": 3, "max": 2}}]}}"#),
                       .invalidCount(slotID: "a", count: ImageCount(min: 3, max: 2)))
        XCTAssertEqual(error(#"{"timeZone": "UTC", "weekly": [{"day": "monday"}, {"day": "monday"}]}"#), .duplicateWeekday(.monday))
        XCTAssertEqual(error(#"{"version": 2, "timeZone": "UTC"}"#), .unsupportedVersion(2))
        guard case let .malformed(reason)? = error(#"{"timeZone": "UTC", "daily": {"slots": [{"id": "a", "start": "25:00", "end": "26:00"}]}}"#) else {
            return XCTFail("a bad time must be refused as malformed")
        }
        XCTAssertTrue(reason.contains("25:00") && reason.contains("daily.slots[0].start"), reason)
        XCTAssertTrue(GenerationPlanError.unknownTimeZone("X").description.contains("Europe/Paris"))
    }

    func testCountRangeIsDeterministicPerOccurrenceAndCoversTheRange() {
        let count = ImageCount(min: 2, max: 3)
        let key = "daily/lingerie@2026-11-25"
        XCTAssertEqual(count.resolve(seed: OccurrenceSeed(key: key)), count.resolve(seed: OccurrenceSeed(key: key)))
        var seen = Set<Int>()
        var day = CivilDate(year: 2026, month: 11, day: 1)!
        for _ in 0..<30 {
            seen.insert(count.resolve(seed: OccurrenceSeed(key: "daily/lingerie@\(day)")))
            day = day.adding(days: 1)
        }
        XCTAssertEqual(seen, [2, 3], "over a month both ends of the range must occur, nothing outside it")
        XCTAssertEqual(ImageCount(exactly: 5).resolve(seed: OccurrenceSeed(key: key)), 5)
    }

    func testTemplateSetRotatesFromASeededStart() {
        let set = TemplateSelection(["a", "b", "c"])
        let seed = OccurrenceSeed(key: "x@2026-01-01")
        let names = set.assign(count: 5, seed: seed)
        XCTAssertEqual(names.count, 5)
        let start = ["a", "b", "c"].firstIndex(of: names[0])!
        XCTAssertEqual(names, (0..<5).map { ["a", "b", "c"][(start + $0) % 3] })
        XCTAssertEqual(set.assign(count: 5, seed: seed), names)
    }

    func testCivilDateArithmeticAndWeekday() {
        let d = CivilDate(parsing: "2026-11-25")!
        XCTAssertEqual(d.weekday, .wednesday)
        XCTAssertEqual(d.adding(days: 7).description, "2026-12-02")
        XCTAssertEqual(CivilDate(parsing: "2026-12-31")!.adding(days: 1).description, "2027-01-01")
        XCTAssertEqual(CivilDate(parsing: "2028-02-28")!.adding(days: 1).description, "2028-02-29")
        XCTAssertNil(CivilDate(parsing: "2026-02-29"))
        XCTAssertEqual(d.days(until: CivilDate(parsing: "2026-12-02")!), 7)
    }
}
