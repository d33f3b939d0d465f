import Foundation
import XCTest
@testable import Host
@testable import PluginHost
@testable import ImagegenCore
@testable import Catalog

/// A job whose plugin crashes while polling keeps its persisted reference: once the file is
/// replaced by a fixed build, a fresh child polls it to the end, and it was submitted once.
final class PluginResumeTests: IsolationTestCase {
    func testCrashDuringPollResumesInAFreshChildAfterTheFileIsReplaced() async throws {
        let submitLog = scratch + "/submits.log"
        let host = try host(["MISBEHAVE_SEGV_POLL"],
                            config: "{providers: {faulty: {quarantine_after: 2, submit_log: \"\(submitLog)\"}}}")
        let generator = try host.generator()
        let plugins = generator.service.runtime.plugins
        let jobs = try await generator.submit(GenerationRequest(model: "faulty", prompt: "a heron", width: 64, height: 64, deadlineSeconds: 300))
        try await eventually("a crash while polling") { (faultyStatus(generator)?.totalCrashes ?? 0) >= 1 }
        let before = try XCTUnwrap(try generator.service.catalog.job(jobs[0].id))
        XCTAssertFalse(before.state.isTerminal, "the job waits for the plugin: \(before.state)")
        XCTAssertNotNil(before.jobRef, "the reference is persisted before the first poll")
        let oldGeneration = try XCTUnwrap(plugins.generation(forPlugin: "faulty")?.number)

        // The operator drops in a fixed build (a new hash: a new generation in a fresh child).
        let fixed = try IsolationFixtures.faulty(["MISBEHAVE_VERSION=\"1.0.1\""], name: "fixed.so", into: scratch)
        try FileManager.default.removeItem(atPath: host.paths.plugins + "/faulty.so")
        try FileManager.default.copyItem(atPath: fixed, toPath: host.paths.plugins + "/faulty.so")
        plugins.rescan()
        XCTAssertNotEqual(plugins.generation(forPlugin: "faulty")?.number, oldGeneration)

        let job = try await finished(generator, jobs)
        XCTAssertEqual(job.state, .succeeded, job.errorMessage ?? "")
        XCTAssertEqual(job.submitCount, 1)
        let lines = try String(contentsOfFile: submitLog, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines, [Substring(job.id)], "submitted exactly once")
        XCTAssertEqual(try generator.service.catalog.images(ImageFilter(jobID: job.id)).count, 1)
        try await assertPreviewWorks(generator)
        await generator.shutdown()
    }
}
