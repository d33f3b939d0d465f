import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import Catalog
@testable import ImagegenCore

/// kill -9 of the host in the middle of a ComfyUI submit, then a restart: with
/// `imagegen.reconcile/1` the job is neither lost, nor sent twice, nor failed as an unknown
/// outcome.
final class LocalProviderCrashTests: ProviderTestCase {
    override func setUpWithError() throws {
        try startEmulator("comfyui", token: "test-token-comfyui")
    }

    func crashAndResume(at point: String) throws -> (job: Job, queued: [String], images: Int) {
        let host = try TestHost(label: "comfy-crash", plugins: ["comfyui"], config: """
            { providers: { comfyui: { base_url: "\(emulator.baseURL)", poll_interval_ms: 20, reconcile_settle_ms: 50 } } }
            """)
        let first = try host.cli(["generate", "--model", "comfyui-txt2img", "--prompt", "a crash test", "--width", "64", "--height", "64"],
                                 environment: ["IMAGEGEN_CRASH_AT": point])
        XCTAssertTrue(first.signalled, "the host should have been killed at \(point): \(first.stderr)")
        let second = try host.cli(["jobs", "run"])
        XCTAssertEqual(second.status, 0, second.stderr)
        let jobs = try host.catalog().jobs(state: nil, batch: nil, limit: 10)
        XCTAssertEqual(jobs.count, 1)
        return (jobs[0], try emulator.events(named: "prompt_queued").compactMap { $0["prompt_id"]?.string },
                try host.catalog().images(ImageFilter()).count)
    }

    /// Killed after ComfyUI queued the prompt, before the host committed the reference: the
    /// restarted host finds the job by its prompt_id and polls it.
    func testKilledAfterComfyAcceptedTheJobIsFoundNotSentAgain() throws {
        let o = try crashAndResume(at: "submit_unrecorded")
        XCTAssertEqual(o.job.state, .succeeded, "\(o.job.errorCode ?? ""): \(o.job.errorMessage ?? "")")
        XCTAssertNil(o.job.errorCode)
        XCTAssertEqual(o.queued.count, 1, "0 double submissions")
        XCTAssertEqual(o.images, 1, "0 lost")
    }

    /// Killed after the intent was committed, before the plugin was called: ComfyUI has no
    /// such prompt, so the restarted host submits it — once.
    func testKilledBeforeComfyHeardOfTheJobIsSubmittedOnce() throws {
        let o = try crashAndResume(at: "during_submit")
        XCTAssertEqual(o.job.state, .succeeded, "\(o.job.errorCode ?? ""): \(o.job.errorMessage ?? "")")
        XCTAssertNil(o.job.errorCode, "not submit_outcome_unknown")
        XCTAssertEqual(o.queued.count, 1)
        XCTAssertEqual(o.images, 1)
    }
}
