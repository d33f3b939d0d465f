import Foundation
import XCTest
import ImagegenCore
import ImagegenConfig

/// UTC is answered without ICU's zone data; every other name still goes through the lookup, so
/// a typo in `budgets.time_zone` is still refused at start.
final class ConfiguredTimeZoneTests: XCTestCase {
    func testUTCNamesAreZeroOffsetAndOtherNamesAreLookedUp() throws {
        for name in ["UTC", "GMT", "Etc/UTC", "Etc/GMT"] {
            XCTAssertEqual(TimeZone.configured(name)?.secondsFromGMT(for: Date()), 0, name)
        }
        let paris = try XCTUnwrap(TimeZone.configured("Europe/Paris"))
        XCTAssertEqual(paris.secondsFromGMT(for: Date(timeIntervalSince1970: 1_767_225_600)), 3600, "Paris in January is UTC+1")
        XCTAssertNil(TimeZone.configured("Mars/Olympus_Mons"))
        XCTAssertNil(TimeZone.configured("utc "), "only the exact names take the shortcut; the rest are ICU's call")
    }

    func testAnUnknownBudgetTimeZoneIsStillRefusedAtStart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) } // test scratch folder: nothing to keep
        let file = dir.appendingPathComponent("config.json5").path
        try #"{ budgets: { daily: 5, time_zone: "Europe/Pariss" } }"#.write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Configuration.load(path: file)) { error in
            XCTAssertTrue("\(error)".contains("budgets.time_zone"), "\(error)")
        }
        try #"{ budgets: { daily: 5, time_zone: "UTC" } }"#.write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try Configuration.load(path: file))
    }
}
