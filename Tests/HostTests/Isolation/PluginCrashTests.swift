import Foundation
import XCTest
@testable import Host
@testable import PluginHost
@testable import ImagegenCore
@testable import Catalog
@testable import Server
import ImagegenJSON

/// A plugin that crashes kills only its child: the job ends in the documented state naming the
/// plugin (docs/plugin-abi.md §11), Preview keeps generating, and a restarted host does not
/// crash-loop on the job or submit it again.
final class PluginCrashTests: IsolationTestCase {
    let config = "{providers: {faulty: {quarantine_after: 3}}}"

    /// The host restarts on the same folders: the finished job stays as it was and Preview works.
    func assertRestartIsQuiet(_ host: TestHost, _ generator: ImageGenerator, job: Job) async throws {
        // The first generator gives up the runner lock at shutdown (it stays referenced here):
        // without that the restarted one only queued, and waiting for its Preview job hung.
        await generator.shutdown(grace: 0.5)
        let restarted = try host.generator()
        XCTAssertNotNil(restarted.lock, "the restarted generator runs the jobs (the first gave up the runner lock)")
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
        // Fetch is retried; with quarantine_after 3 the retries may end in the quarantine: either
        // way the message names the plugin and the download.
        XCTAssertTrue(message.contains("faulty") && (message.contains("fetch") || message.contains("download")), message)
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

    /// Driven through the plugin's instance (not jobs): a crashed job opens the candidate's
    /// circuit, so later jobs would never reach the plugin to crash it again.
    func testRepeatedCrashesQuarantineThePluginUntilReload() async throws {
        let host = try host(["MISBEHAVE_SEGV_SUBMIT"], config: "{providers: {faulty: {quarantine_after: 2}}}")
        let generator = try host.generator()
        let plugins = generator.service.runtime.plugins
        let instance = try plugins.instance(forPlugin: "faulty")
        let request: JSONValue = ["schema": 1, "job_id": "q", "model": "preview-1", "prompt": "x", "width": 64, "height": 64, "seed": 1]
        for round in 1...2 {
            do {
                _ = try instance.submit(request)
                XCTFail("submit should have crashed the child")
            } catch {
                XCTAssertEqual(error.isolation, .crashed, error.message)
                XCTAssertTrue(error.message.contains("faulty") && error.message.contains("SIGSEGV"), error.message)
            }
            try await eventually("crash \(round) counted") { (faultyStatus(generator)?.consecutiveCrashes ?? 0) >= round }
            // Past the back-off (0.1 s after one crash), so the next call meets a fresh child.
            try await Task.sleep(nanoseconds: 300_000_000)
        }
        XCTAssertEqual(faultyStatus(generator)?.state, "quarantined")
        let record = try XCTUnwrap(plugins.records.first { $0.id == "faulty" })
        XCTAssertEqual(record.run?.state, "quarantined", "`imagegen plugins` shows the quarantine")
        XCTAssertTrue(ServerAPI.pluginIsDegraded(record), "/v1/health and /healthz say degraded")
        try await eventually("the quarantine is logged") { host.lines.lines.contains { $0.contains("quarantined after 2 failures") } }
        do {
            _ = try instance.submit(request)
            XCTFail("a quarantined plugin is not restarted")
        } catch {
            XCTAssertEqual(error.isolation, .quarantined, error.message)
        }
        plugins.releaseQuarantines()
        XCTAssertNotEqual(faultyStatus(generator)?.state, "quarantined")
        let released = try XCTUnwrap(plugins.records.first { $0.id == "faulty" })
        XCTAssertFalse(ServerAPI.pluginIsDegraded(released), "health is ok again once released")
        try await assertPreviewWorks(generator)
        await generator.shutdown()
    }
}
