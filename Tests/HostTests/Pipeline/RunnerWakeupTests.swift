import Foundation
import XCTest
@testable import Pipeline

/// The runner's two sleeps (the dispatch loop's, and `waitForChange`, which every `wait`
/// request's pump uses) end early when something happens. A timer that outlived such a sleep
/// woke the next one early, which started a timer of its own: each wake-up added a loop of
/// catalog reads that ran for the life of the process, so a host's CPU per request grew with
/// the number of jobs it had run.
final class RunnerWakeupTests: XCTestCase {
    private func runner(_ label: String) throws -> (JobRunner, WriteRefusingCatalog) {
        // Refuses a write no job here makes: only its count of queue reads is used.
        let (service, catalog, _) = try WriteRefusingCatalog.service(for: try TestHost(label: label), refusing: .recordProgress)
        return (JobRunner(service: service), catalog)
    }

    func testWakingTheDispatchLoopLeavesNoTimerBehindThatReadsTheQueueAgain() async throws {
        let (runner, catalog) = try runner("wakeloop")
        await runner.start()
        try await Task.sleep(for: .milliseconds(300))
        for _ in 0..<60 {
            await runner.wake()
            try await Task.sleep(for: .milliseconds(3))
        }
        let before = catalog.queueReads.withLock { $0 }
        try await Task.sleep(for: .seconds(1))
        let reads = catalog.queueReads.withLock { $0 } - before
        await runner.stop(grace: 1)
        // One read per 200 ms tick: 5 in a second (a few more on a slow machine). With the
        // 60 wake-ups' timers left running, each kept its own 200 ms loop: about 300.
        XCTAssertLessThanOrEqual(reads, 12, "queue reads in an idle second after 60 wake-ups")
        XCTAssertGreaterThanOrEqual(reads, 2, "the idle loop still looks at the queue on its tick")
    }

    func testAWaitForChangeIsNotEndedEarlyByTheTimerOfAWaitBeforeIt() async throws {
        let (runner, _) = try runner("waitchange")
        // A first wait, ended by a finishing job long before its 400 ms timeout.
        let first = Task { await runner.waitForChange(milliseconds: 400) }
        try await Task.sleep(for: .milliseconds(50))
        await runner.finished("job-that-finished")
        await first.value
        // A second, longer wait: only a job finishing (at 1.2 s) may end it, not the first
        // wait's timer at 400 ms.
        let start = Date()
        let second = Task { () -> Date in
            await runner.waitForChange(milliseconds: 10_000)
            return Date()
        }
        try await Task.sleep(for: .milliseconds(1_200))
        await runner.finished("another-job")
        let ended = await second.value
        XCTAssertGreaterThanOrEqual(ended.timeIntervalSince(start), 1.1, "the second wait ended before anything finished")
    }

    func testAWaitForChangeEndsAtItsTimeoutAndWhenItsCallerIsCancelled() async throws {
        let (runner, _) = try runner("waittimeout")
        let start = Date()
        await runner.waitForChange(milliseconds: 100)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "a wait with nothing finishing ends at its timeout")

        let cancelled = Task { await runner.waitForChange(milliseconds: 60_000) }
        try await Task.sleep(for: .milliseconds(100))
        let cancelledAt = Date()
        cancelled.cancel()
        await cancelled.value
        XCTAssertLessThan(Date().timeIntervalSince(cancelledAt), 5, "a cancelled caller does not sit out its timeout")
    }
}
