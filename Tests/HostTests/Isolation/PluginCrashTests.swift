import Foundation
import XCTest
@testable import Host
@testable import PluginHost
@testable import ImagegenCore
@testable import Catalog

/// A plugin that crashes kills only its child: the job ends in the documented state naming the
/// plugin (docs/plugin-abi.md §11), Preview keeps generating, and a restarted host does not
/// crash-loop on the job or submit it again.
final class PluginCrashTests: IsolationTestCase {
    let config = "{providers: {faulty: {quarantine_after: 3}}}"

    /// The host restarts on the same folders: the finished job stays as it was and Preview works.
    func assertRestartIsQuiet(_ host: TestHost, _ generator: ImageGenerator, job: Job) async throws {
        await generator.shutdown()
        let restarted = try host.generator()
        await restarted.startRunner()
        try await assertPreviewWorks(restarted)
        let again = try XCTUnwrap(try restarted.service.catalog.job(job.id))
        XCTAssertEqual(again.state, job.state)
        XCTAssertEqual(again.submitCount, job.submitCount, "a restarted host must not submit the job again")
        await restarted.shutdown()
    }

    func testSegfaultInSubmitFailsTheJobAsPluginCrashed() async throws {
        let host = try host(["MISBEHAVE_SEGV_SUBMIT"], config: config)
        let generator = try host.generator()
        let job = try await finished(generator, try await generator.submit(GenerationRequest(model: "faulty", prompt: "a cat", width: 64, height: 64)))
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "plugin_crashed")
        let message = try XCTUnwrap(job.errorMessage)
        XCTAssertTrue(message.contains("faulty") && message.contains("SIGSEGV") && message.contains("not sent again"), message)
        XCTAssertEqual(job.submitCount, 1)
        // The crash is logged when the child is reaped, which may be just after the call failed.
        try await eventually("the log names plugin, file and signal") {
            host.lines.lines.contains { $0.contains("plugin faulty (file faulty.so") && $0.contains("SIGSEGV") }
        }
        try await assertPreviewWorks(generator)
        try await assertRestartIsQuiet(host, generator, job: job)
    }

    func testSegfaultInPollEndsTheJobAtItsDeadlineAsPluginCrashed() async throws {
        let host = try host(["MISBEHAVE_SEGV_POLL"], config: config)
        let generator = try host.generator()
        let jobs = try await generator.submit(GenerationRequest(model: "faulty", prompt: "a cat", width: 64, height: 64, deadlineSeconds: 3))
        try await assertPreviewWorks(generator)
        let job = try await finished(generator, jobs)
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "plugin_crashed")
        let message = try XCTUnwrap(job.errorMessage)
        XCTAssertTrue(message.contains("faulty") && message.contains("poll"), message)
        XCTAssertEqual(job.submitCount, 1)
        XCTAssertGreaterThanOrEqual(faultyStatus(generator)?.totalCrashes ?? 0, 1)
        try await assertRestartIsQuiet(host, generator, job: job)
    }

    func testSegfaultInFetchFailsTheJobAsPluginCrashed() async throws {
        let host = try host(["MISBEHAVE_SEGV_FETCH"], config: config)
        let generator = try host.generator()
        let job = try await finished(generator, try await generator.submit(GenerationRequest(model: "faulty", prompt: "a cat", width: 64, height: 64)))
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "plugin_crashed")
        let message = try XCTUnwrap(job.errorMessage)
        XCTAssertTrue(message.contains("faulty") && message.contains("fetch"), message)
        XCTAssertEqual(job.submitCount, 1)
        try await assertPreviewWorks(generator)
        try await assertRestartIsQuiet(host, generator, job: job)
    }

    func testAbortInCreateFailsOverAndNamesThePlugin() async throws {
        let host = try host(["MISBEHAVE_ABORT_CREATE"], config: config)
        let generator = try host.generator()
        let job = try await finished(generator, try await generator.submit(GenerationRequest(model: "faulty", prompt: "a cat", width: 64, height: 64)))
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "no_provider")
        let message = try XCTUnwrap(job.errorMessage)
        XCTAssertTrue(message.contains("faulty") && message.contains("create") && message.contains("SIGABRT"), message)
        XCTAssertEqual(job.submitCount, 0, "nothing was sent")
        try await assertPreviewWorks(generator)
        try await assertRestartIsQuiet(host, generator, job: job)
    }

    func testRepeatedCrashesQuarantineThePluginUntilReload() async throws {
        let host = try host(["MISBEHAVE_SEGV_SUBMIT"], config: "{providers: {faulty: {quarantine_after: 2}}}")
        let generator = try host.generator()
        let plugins = generator.service.runtime.plugins
        for _ in 0..<2 {
            _ = try await finished(generator, try await generator.submit(GenerationRequest(model: "faulty", prompt: "a cat", width: 64, height: 64)))
            // The next start waits out the back-off (0.1 s after one crash): so each job meets a child.
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        XCTAssertEqual(faultyStatus(generator)?.state, "quarantined")
        let record = try XCTUnwrap(plugins.records.first { $0.id == "faulty" })
        XCTAssertEqual(record.run?.state, "quarantined", "`imagegen plugins` shows the quarantine")
        XCTAssertTrue(host.lines.lines.contains { $0.contains("quarantined after 2 failures") })
        plugins.releaseQuarantines()
        XCTAssertNotEqual(faultyStatus(generator)?.state, "quarantined")
        try await assertPreviewWorks(generator)
        await generator.shutdown()
    }
}
