import Foundation
import XCTest
@testable import ImagegenCore

/// The polling loops' sleep (`JobRunner`, `UploadWorker`): a wake ends it, a wake nobody slept
/// through ends the next one at once, and the timer of a woken sleep never ends a later one.
final class WakeableSleepTests: XCTestCase {
    func testAWakeEndsTheSleepAndAnEarlierWakeEndsTheNextAtOnce() async throws {
        let alarm = WakeableSleep()
        let start = Date()
        let sleeper = Task { await alarm.sleep(for: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(50))
        alarm.wake()
        await sleeper.value
        XCTAssertLessThan(Date().timeIntervalSince(start), 30, "woken, not timed out")

        alarm.wake()  // nobody sleeps: the next sleep returns at once
        let again = Date()
        await alarm.sleep(for: .seconds(60))
        XCTAssertLessThan(Date().timeIntervalSince(again), 30)
    }

    func testTheTimerOfAWokenSleepDoesNotEndALaterOne() async throws {
        let alarm = WakeableSleep()
        let first = Task { await alarm.sleep(for: .milliseconds(300)) }
        try await Task.sleep(for: .milliseconds(50))
        alarm.wake()
        await first.value
        // Only a wake at 1.2 s may end this one, not the first sleep's timer at 300 ms.
        let start = Date()
        let second = Task { () -> Date in
            await alarm.sleep(for: .seconds(60))
            return Date()
        }
        try await Task.sleep(for: .milliseconds(1_200))
        alarm.wake()
        let ended = await second.value
        XCTAssertGreaterThanOrEqual(ended.timeIntervalSince(start), 1.1)
    }

    func testASleepNobodyWakesEndsAtItsTime() async {
        let start = Date()
        await WakeableSleep().sleep(for: .milliseconds(100))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.09)
    }
}
