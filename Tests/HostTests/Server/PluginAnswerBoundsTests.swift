import Foundation
import XCTest
@testable import Pipeline

/// Issue 16: a plugin's answer is outside input. A `retry_after_ms` near Int.max became
/// `UInt64(seconds * 1e9)` for the back-off sleep and trapped, killing the host.
final class PluginAnswerBoundsTests: XCTestCase {
    func testHugeRetryAfterIsCappedSoTheSleepCannotTrap() {
        for retry in [Int.max, Int.max / 2, Int(Int64(9.3e15)), -1, Int.min] {
            for attempt in [1, 4, 1000, Int.max, Int.min] {
                let wait = JobExecution.backoff(attempt: attempt, retryAfterMs: retry)
                XCTAssertTrue(wait.isFinite && wait >= 0 && wait <= JobExecution.maximumRetryAfter, "\(retry) \(attempt): \(wait)")
                XCTAssertNotNil(UInt64(exactly: (wait * 1e9).rounded(.down)), "the sleep's nanoseconds fit")
            }
        }
        XCTAssertEqual(JobExecution.backoff(attempt: 1, retryAfterMs: 30_000), 30, accuracy: 0.001)
    }
}
