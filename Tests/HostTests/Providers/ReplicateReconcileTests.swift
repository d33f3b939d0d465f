import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import Catalog
@testable import ImagegenCore
@testable import PluginHost

/// `imagegen.reconcile/1` for Replicate: the prediction of an interrupted submit is found among
/// the account's recent predictions by its model and input (Replicate has no client-chosen id),
/// through the plugin and through a host killed in the middle of a submit.
final class ReplicateReconcileTests: ProviderTestCase {
    static let token = "test-token-replicate"

    override var defaultBasePath: String { "/v1" }

    override func setUpWithError() throws {
        try startEmulator("replicate", token: Self.token)
    }

    func plugin() throws -> ProviderHarness {
        try harness("replicate", config: ["reconcile_settle_ms": 0, "poll_interval_ms": 10],
                    secrets: ["REPLICATE_API_TOKEN": Self.token])
    }

    func testReconcileReportsAbsentBeforeTheSubmitAndFindsThePredictionAfterIt() throws {
        let p = try plugin()
        XCTAssertTrue(try p.instance.offersReconcile())
        let request = ProviderHarness.request(model: "black-forest-labs/flux-schnell", seed: nil)
        guard case .absent? = try p.instance.reconcile(request) else { return XCTFail("nothing was created yet") }
        let submitted = try p.submit(request).get()
        guard case .found(let found)? = try p.instance.reconcile(request) else { return XCTFail("the prediction was not found") }
        XCTAssertEqual(found["ref"]?["id"], submitted["ref"]?["id"])
        XCTAssertEqual(try emulator.requests(kind: "create").count, 1, "reconcile never creates a prediction")
        XCTAssertFalse(try emulator.requests(kind: "list").isEmpty)
        XCTAssertEqual(try p.pollUntilDone(found)["state"]?.string, "succeeded")
    }

    func testAnotherJobWithTheSamePromptIsNotTakenForThisOne() throws {
        let p = try plugin()
        _ = try p.submit(ProviderHarness.request(model: "black-forest-labs/flux-schnell", seed: nil)).get()
        // Same prompt and parameters, another job id: its derived seed differs.
        let other = ProviderHarness.request(model: "black-forest-labs/flux-schnell", seed: nil)
        guard case .absent? = try p.instance.reconcile(other) else { return XCTFail("another job's prediction was taken") }
    }

    func testTwoPredictionsWithTheSameExplicitInputAreAmbiguousNotAbsent() throws {
        let p = try plugin()
        for _ in 0..<2 { _ = try p.submit(ProviderHarness.request(model: "black-forest-labs/flux-schnell", seed: 7)).get() }
        XCTAssertThrowsError(try p.instance.reconcile(ProviderHarness.request(model: "black-forest-labs/flux-schnell", seed: 7))) {
            let e = $0 as? PluginCallError
            XCTAssertEqual(e?.status, .unsupported)
            XCTAssertTrue(e?.message.contains("cannot be told") ?? false, e?.message ?? "")
        }
    }

    func testAPredictionWhoseInputWasDeletedCannotBeRuledOut() throws {
        try emulator.scenario(["mode": "data_removed"])
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "black-forest-labs/flux-schnell", seed: nil)).get())
        XCTAssertEqual(done["state"]?.string, "failed")
        XCTAssertThrowsError(try p.instance.reconcile(ProviderHarness.request(model: "black-forest-labs/flux-schnell", seed: nil))) {
            XCTAssertEqual(($0 as? PluginCallError)?.status, .unsupported)
        }
    }

    func testAVaryWhoseImageWasUploadedIsFoundByTheFilesMetadata() throws {
        let p = try plugin()
        let source = [UInt8](try ImagingFixtures.scenePNG(width: 2048, height: 1536))
        let request = ProviderHarness.derived(ProviderHarness.request(model: "black-forest-labs/flux-dev", seed: 5),
                                                         kind: "vary", image: source, width: 2048, height: 1536, strength: 0.5)
        let submitted = try p.submit(request).get()
        XCTAssertEqual(try emulator.events(named: "uploaded").count, 1)
        guard case .found(let found)? = try p.instance.reconcile(request) else { return XCTFail("the vary was not found") }
        XCTAssertEqual(found["ref"]?["id"], submitted["ref"]?["id"])
        XCTAssertEqual(try emulator.events(named: "uploaded").count, 1, "reconcile uploads nothing")
        // The same image and parameters under another job id: its upload names another job.
        var other = request.object ?? [:]
        other["job_id"] = "job-another"
        guard case .absent? = try p.instance.reconcile(.object(other)) else { return XCTFail("another job's vary was taken") }
    }

    func testReconcileWithoutTheAPIIsAnErrorNotAnAnswer() throws {
        let p = try harness("replicate", config: ["base_url": "http://127.0.0.1:9", "reconcile_settle_ms": 0],
                            secrets: ["REPLICATE_API_TOKEN": Self.token])
        XCTAssertThrowsError(try p.instance.reconcile(ProviderHarness.request(model: "black-forest-labs/flux-schnell"))) {
            XCTAssertEqual(($0 as? PluginCallError)?.status, .provider)
        }
    }

    // MARK: kill -9 during a submit, then a restart

    var env: [String: String] { ["REPLICATE_API_TOKEN": Self.token] }

    func crashHost() throws -> TestHost {
        try TestHost(label: "replicate-crash", plugins: ["replicate"], config: """
            { providers: { replicate: { base_url: "\(emulator.baseURL)/v1", poll_interval_ms: 20, reconcile_settle_ms: 50 } },
              health: { failure_threshold: 100 } }
            """)
    }

    func crashAndResume(at point: String) throws -> (job: Job, creates: Int, images: Int) {
        let host = try crashHost()
        let first = try host.cli(["generate", "--model", "flux-schnell", "--prompt", "a crash test", "--width", "256", "--height", "256"],
                                 environment: env.merging(["IMAGEGEN_CRASH_AT": point]) { _, b in b })
        XCTAssertTrue(first.signalled, "the host should have been killed at \(point): \(first.stderr)")
        let second = try host.cli(["jobs", "run"], environment: env)
        XCTAssertEqual(second.status, 0, second.stderr)
        let jobs = try host.catalog().jobs(state: nil, batch: nil, limit: 10)
        XCTAssertEqual(jobs.count, 1)
        return (jobs[0], try emulator.requests(kind: "create").count, try host.catalog().images(ImageFilter()).count)
    }

    /// Killed after Replicate created the prediction, before the host recorded it: the
    /// restarted host finds it among the recent predictions and polls it.
    func testKilledAfterReplicateCreatedThePredictionItIsFoundNotCreatedAgain() throws {
        let o = try crashAndResume(at: "submit_unrecorded")
        XCTAssertEqual(o.job.state, .succeeded, "\(o.job.errorCode ?? ""): \(o.job.errorMessage ?? "")")
        XCTAssertNil(o.job.errorCode, "not submit_outcome_unknown")
        XCTAssertEqual(o.creates, 1, "0 double submissions")
        XCTAssertEqual(o.images, 1, "0 lost")
    }

    /// A vary killed after Replicate created its prediction: the restarted host asks with the
    /// source image, and the prediction is found by it (the same data: URL) — not created again.
    func testKilledDuringAVarySubmitThePredictionIsFoundByItsInputImage() throws {
        let host = try crashHost()
        let made = try host.cli(["generate", "--model", "flux-schnell", "--prompt", "a paper boat", "--width", "256", "--height", "256"],
                                environment: env)
        XCTAssertEqual(made.status, 0, made.stderr)
        let source = try XCTUnwrap(try host.catalog().images(ImageFilter()).first)
        let first = try host.cli(["images", "vary", source.imageID, "--model", "flux-dev", "--strength", "0.4"],
                                 environment: env.merging(["IMAGEGEN_CRASH_AT": "submit_unrecorded"]) { _, b in b })
        XCTAssertTrue(first.signalled, "the host should have been killed: \(first.stderr)")
        let second = try host.cli(["jobs", "run"], environment: env)
        XCTAssertEqual(second.status, 0, second.stderr)
        let vary = try XCTUnwrap(try host.catalog().jobs(state: nil, batch: nil, limit: 10).first { $0.model == "flux-dev" })
        XCTAssertEqual(vary.state, .succeeded, "\(vary.errorCode ?? ""): \(vary.errorMessage ?? "")")
        XCTAssertEqual(try emulator.requests(kind: "create").count, 2, "one generation, one vary: 0 double submissions")
        let images = try host.catalog().images(ImageFilter())
        XCTAssertEqual(images.count, 2, "0 lost")
        XCTAssertEqual(images.first { $0.jobID == vary.id }?.parentID, source.imageID)
    }

    /// Killed after the intent was committed, before the request went out: Replicate has no
    /// such prediction, so the restarted host creates it — once.
    func testKilledBeforeReplicateHeardOfTheJobItIsCreatedOnce() throws {
        let o = try crashAndResume(at: "during_submit")
        XCTAssertEqual(o.job.state, .succeeded, "\(o.job.errorCode ?? ""): \(o.job.errorMessage ?? "")")
        XCTAssertNil(o.job.errorCode, "not submit_outcome_unknown")
        XCTAssertEqual(o.creates, 1)
        XCTAssertEqual(o.images, 1)
    }
}
