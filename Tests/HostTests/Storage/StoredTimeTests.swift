import Foundation
import XCTest
@testable import Catalog
@testable import ImagegenCore

/// Stored instants (integer milliseconds) are never later than the event: the alert and report
/// windows end at "now", and a job that finished a moment ago must fall inside them.
final class StoredTimeTests: XCTestCase {
    func testAStoredInstantIsNeverLaterThanTheEvent() {
        let event = Date(timeIntervalSince1970: 1_765_000_000.123_6)
        let ms = TimeBounds.milliseconds(event)
        XCTAssertEqual(ms, 1_765_000_000_123, "rounded down, not to the nearest millisecond")
        XCTAssertLessThanOrEqual(Date(timeIntervalSince1970: Double(ms) / 1000), event)
    }

    func testADateReadBackFromMillisecondsStaysOnItsMillisecond() {
        for ms in stride(from: Int64(1_765_000_000_000), to: 1_765_000_001_000, by: 7) {
            let read = Date(timeIntervalSince1970: Double(ms) / 1000)
            XCTAssertEqual(TimeBounds.milliseconds(read), ms)
            XCTAssertEqual(RecordTime.iso(read), RecordTime.iso(Date(timeIntervalSince1970: Double(ms) / 1000 + 0.000_4)))
        }
    }

    func testTheRecordTimestampAgreesWithTheStoredMillisecond() {
        let event = Date(timeIntervalSince1970: 1_765_000_000.999_7)
        XCTAssertEqual(RecordTime.iso(event), "2025-12-06T05:46:40.999Z")
    }
}
