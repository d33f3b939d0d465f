import Foundation
import XCTest
@testable import Host
@testable import PluginHost
@testable import ImagegenCore
@testable import Catalog

/// Every plugin call has a host-side time limit; a plugin that hangs holds its own call slots
/// only, and a job stuck submitting to it can be cancelled.
final class PluginWatchdogTests: IsolationTestCase {
    func testSubmitThatNeverReturnsBecomesSubmitOutcomeUnknown() async throws {
        let host = try host(["MISBEHAVE_HANG_SUBMIT"], config: "{providers: {faulty: {watchdog_ms: {submit: 1000}, quarantine_after: 3}}}")
        let generator = try host.generator()
        let job = try await finished(generator, try await generator.submit(GenerationRequest(model: "faulty", prompt: "a cat", width: 64, height: 64)))
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "submit_outcome_unknown")
        let message = try XCTUnwrap(job.errorMessage)
        XCTAssertTrue(message.contains("faulty") && message.contains("did not return"), message)
        XCTAssertEqual(job.submitCount, 1, "never resent: the plugin does not promise idempotent submits")
        try await eventually("the log names plugin, file and watchdog") {
            host.lines.lines.contains { $0.contains("plugin faulty (file faulty.so") && $0.contains("watchdog") }
        }
        try await assertPreviewWorks(generator)
        // The restarted host does not crash-loop on it and does not send it again.
        await generator.shutdown(grace: 0.5)
        let restarted = try host.generator()
        XCTAssertNotNil(restarted.lock, "the restarted generator runs the jobs (the first gave up the runner lock)")
        await restarted.startRunner()
        try await assertPreviewWorks(restarted)
        XCTAssertEqual(try restarted.service.catalog.job(job.id)?.submitCount, 1)
        await restarted.shutdown()
    }

    func testMoreHungSubmitsThanRunnerSlotsLeaveOtherPluginsAndCancelWorking() async throws {
        // Two runner slots, one call slot for the hung plugin, a watchdog far away.
        let host = try host(["MISBEHAVE_HANG_SUBMIT"],
                            config: "{jobs: {concurrency: 2}, providers: {faulty: {limits: {max_in_flight: 1}, watchdog_ms: {submit: 600000}}}}")
        let generator = try host.generator()
        var hung: [Job] = []
        for i in 0..<4 {
            hung += try await generator.submit(GenerationRequest(model: "faulty", prompt: "hang \(i)", width: 64, height: 64))
        }
        let catalog = generator.service.catalog
        try await eventually("one submit in the plugin") { try catalog.jobs(ids: hung.map(\.id)).contains { $0.state == .submitting } }
        // More hung jobs than runner slots, and still Preview runs, at high priority and at low.
        try await assertPreviewWorks(generator)
        let low = try await generator.submit(GenerationRequest(model: "preview", prompt: "low", width: 64, height: 64, priority: -5))
        let lowImages = try await generator.wait(for: low)
        XCTAssertEqual(lowImages.count, 1)
        let states = try catalog.jobs(ids: hung.map(\.id))
        XCTAssertEqual(states.filter { $0.state == .submitting }.count, 1, "the plugin holds its one call slot: \(states.map(\.state))")
        XCTAssertFalse(states.contains { $0.state.isTerminal })

        // Cancelling the job stuck in `submitting` takes effect, and so does one still waiting.
        let stuck = try XCTUnwrap(states.first { $0.state == .submitting })
        let waiting = try XCTUnwrap(states.first { $0.state == .queued })
        _ = try catalog.requestCancel(stuck.id, now: Date())
        _ = try catalog.requestCancel(waiting.id, now: Date())
        let ended = try await generator.waitUntilFinished([stuck, waiting])
        XCTAssertEqual(ended.map(\.state), [.cancelled, .cancelled])
        XCTAssertTrue(ended[0].errorMessage?.contains("faulty") == true, ended[0].errorMessage ?? "")
        XCTAssertEqual(ended[1].submitCount, 0, "a job cancelled while waiting for a slot was never sent")
        await generator.shutdown(grace: 0.5)
    }
}
