import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Pipeline
@testable import PluginHost

/// The three provider plugins end to end through the host's generation pipeline (jobs in the
/// catalog, routing, retries, fetch, storage, ledger) against their emulators.
final class ProviderPipelineTests: ProviderTestCase {
    var replicate: EmulatorProcess!
    var stability: EmulatorProcess!
    var midjourney: EmulatorProcess!
    var host: TestHost!
    var runner: JobRunner?
    var service: GenerationService!

    static let secrets = ["REPLICATE_API_TOKEN": "test-token-replicate", "STABILITY_API_KEY": "test-token-stability",
                          "MIDJOURNEY_API_KEY": "test-token-midjourney"]

    override func setUpWithError() throws {
        replicate = try sharedEmulator("replicate", token: Self.secrets["REPLICATE_API_TOKEN"]!)
        stability = try sharedEmulator("stability", token: Self.secrets["STABILITY_API_KEY"]!)
        midjourney = try sharedEmulator("midjourney", token: Self.secrets["MIDJOURNEY_API_KEY"]!)
    }

    /// A host with the three plugins, configured against the emulators, running jobs.
    func startHost(secrets: [String: String] = ProviderPipelineTests.secrets, extraConfig: String = "") async throws {
        let config = """
            {
              providers: {
                replicate: { base_url: "\(replicate.baseURL)/v1", poll_interval_ms: 20 },
                stabilityai: { base_url: "\(stability.baseURL)" },
                midjourney: { base_url: "\(midjourney.baseURL)", poll_interval_ms: 20 },
              },
              health: { failure_threshold: 100 },
              \(extraConfig)
            }
            """
        host = try TestHost(label: "providers-e2e", plugins: ["replicate", "stabilityai", "midjourney"], config: config)
        let settings = try Configuration.load(path: host.paths.config)
        let runtime = HostRuntime(paths: host.paths, configuration: settings, log: host.log,
                                  secrets: EnvironmentSecrets(environment: secrets))
        runtime.plugins.rescan()
        XCTAssertEqual(runtime.plugins.records.map(\.status), ["loaded", "loaded", "loaded"])
        service = GenerationService(runtime: runtime, catalog: try SQLiteCatalog(path: host.paths.catalog))
        let r = JobRunner(service: service)
        await r.start()
        runner = r
    }

    override func tearDown() {
        if let host {
            // No key in any log line (redaction off or on) nor anywhere in the catalog or the sidecars.
            for line in host.lines.lines { XCTAssertFalse(line.contains(Self.tokenPrefix), "key in log: \(line)") }
            let files = ["catalog.sqlite", "catalog.sqlite-wal"].map { host.paths.data + "/" + $0 }
                + ((FileManager.default.enumerator(atPath: host.paths.content)?.allObjects as? [String]) ?? [])
                    .filter { $0.hasSuffix(".json") }.map { host.paths.content + "/" + $0 }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                XCTAssertNil(data.range(of: Data(Self.tokenPrefix.utf8)), "a key is stored in \(file)")
            }
        }
        host = nil
        super.tearDown()
    }

    func stopRunner() async {
        await runner?.stop(grace: 1)
        runner = nil
    }

    /// Queues one job and waits (bounded) until it is final.
    func run(_ model: String, prompt: String = "a red bicycle on a beach", deadline: Double? = nil) async throws -> Job {
        let jobs = try service.enqueue(GenerationRequest(model: model, prompt: prompt, negativePrompt: "blurry",
                                                         width: 512, height: 512, seed: 42, deadlineSeconds: deadline))
        await runner?.wake()
        let end = Date().addingTimeInterval(20)
        while Date() < end {
            if let job = try service.catalog.job(jobs[0].id), job.state.isTerminal { return job }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("job \(jobs[0].id) did not finish within 20 s")
        return try XCTUnwrap(try service.catalog.job(jobs[0].id))
    }

    func assertStored(_ job: Job, cost: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(job.state, .succeeded, "\(job.errorCode ?? ""): \(job.errorMessage ?? "")", file: file, line: line)
        let images = try service.catalog.images(ImageFilter(jobID: job.id))
        XCTAssertEqual(images.count, 1, file: file, line: line)
        guard let image = images.first else { return }
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: host.paths.data + "/" + image.filePath), file: file, line: line)
        ProviderAssert.isWholePNG([UInt8](bytes), file: file, line: line)
        XCTAssertEqual(try XCTUnwrap(image.metadata.cost, file: file, line: line), cost, accuracy: 1e-9, file: file, line: line)
        XCTAssertEqual(try XCTUnwrap(job.costUSD, file: file, line: line), cost, accuracy: 1e-9, file: file, line: line)
        let ledger = try service.catalog.ledger(since: nil).filter { $0.jobID == job.id }
        XCTAssertEqual(ledger.count, 1, file: file, line: line)
        XCTAssertEqual(ledger.first?.costUSD ?? -1, cost, accuracy: 1e-9, file: file, line: line)
    }

    // MARK: success

    func testEachProviderGeneratesAStoredPricedImage() async throws {
        try await startHost()
        let rep = try await run("stable-diffusion-v2")
        let sdxl = try await run("stable-diffusion-xl")
        let mj = try await run("midjourney-v6")
        await stopRunner()
        try assertStored(rep, cost: 0.05)
        XCTAssertEqual(rep.providerTimeSeconds, 2.5, "Replicate's predict_time is kept for per-second prices")
        XCTAssertEqual(rep.pluginID, "replicate")
        try assertStored(sdxl, cost: 0.08)
        XCTAssertEqual(sdxl.pluginID, "stabilityai")
        try assertStored(mj, cost: 0.12)
        XCTAssertEqual(mj.pluginID, "midjourney")
        XCTAssertEqual(try replicate.requests(kind: "create").count, 1)
        XCTAssertEqual(try stability.requests(kind: "create").count, 1)
        XCTAssertEqual(try midjourney.requests(kind: "create").count, 1)
    }

    // MARK: retries

    func testRateLimitedSubmitWaitsAtLeastRetryAfterThenSucceeds() async throws {
        try replicate.scenario(["mode": "rate_limited", "on": "create", "times": 1, "retry_after": 1])
        try await startHost()
        let job = try await run("stable-diffusion-v2")
        await stopRunner()
        try assertStored(job, cost: 0.05)
        let creates = try replicate.requests(kind: "create").compactMap { $0["at"]?.number }
        XCTAssertEqual(creates.count, 2)
        XCTAssertGreaterThanOrEqual(creates[1] - creates[0], 0.95, "the retry came before Retry-After (1 s) had passed")
    }

    func testServerErrorThenSuccessIsRetriedToASuccess() async throws {
        try stability.scenario(["mode": "server_error", "on": "create", "times": 1])
        try await startHost()
        let job = try await run("stable-diffusion-xl")
        await stopRunner()
        try assertStored(job, cost: 0.08)
        XCTAssertEqual(try stability.requests(kind: "create").count, 2)
    }

    // MARK: failures

    func testDroppedConnectionFailsTheJobWithoutSendingItAgain() async throws {
        try replicate.scenario(["mode": "drop", "on": "create", "times": 1])
        try await startHost()
        let job = try await run("stable-diffusion-v2")
        await stopRunner()
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "submit_outcome_unknown")
        XCTAssertTrue(job.errorMessage?.contains("not sent again") ?? false, job.errorMessage ?? "")
        XCTAssertEqual(try replicate.requests(kind: "create").count, 1, "a create that may have arrived is never repeated")
    }

    func testQuotaExhaustedFailsWithTheProvidersReason() async throws {
        try replicate.scenario(["mode": "insufficient_balance", "on": "create"])
        try await startHost()
        let job = try await run("stable-diffusion-v2")
        await stopRunner()
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.errorMessage?.contains("Billing required") ?? false, job.errorMessage ?? "")
        XCTAssertEqual(try replicate.requests(kind: "create").count, 1, "quota is not retried at the same provider")
    }

    func testNSFWOutcomeIsContentFiltered() async throws {
        try replicate.scenario(["mode": "nsfw"])
        try await startHost()
        let job = try await run("stable-diffusion-v2")
        await stopRunner()
        XCTAssertEqual(job.state, .contentFiltered)
        XCTAssertTrue(job.errorMessage?.contains("NSFW content detected") ?? false, job.errorMessage ?? "")
        XCTAssertEqual(try service.catalog.images(ImageFilter(jobID: job.id)).count, 0)
    }

    func testBlurredStabilityImageAndBannedMidjourneyWordAreContentFiltered() async throws {
        try stability.scenario(["mode": "content_filtered"])
        try await startHost()
        let sdxl = try await run("stable-diffusion-xl")
        let mj = try await run("midjourney-v5", prompt: "a bannedword poster")
        await stopRunner()
        XCTAssertEqual(sdxl.state, .contentFiltered)
        XCTAssertEqual(mj.state, .contentFiltered)
        XCTAssertTrue(mj.errorMessage?.contains("banned word") ?? false, mj.errorMessage ?? "")
    }

    func testExpiredOutputFailsTheJobAsNotFound() async throws {
        try replicate.scenario(["mode": "expired_output", "on": "file"])
        try await startHost()
        let job = try await run("stable-diffusion-v2")
        await stopRunner()
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "not_found")
        XCTAssertTrue(job.errorMessage?.contains("expired") ?? false, job.errorMessage ?? "")
    }

    func testJobThatNeverFinishesEndsAsTimeoutAndIsCancelledAtTheProvider() async throws {
        try midjourney.scenario(["mode": "never_finishes"])
        try await startHost()
        let job = try await run("midjourney-v6", deadline: 1)
        await stopRunner()
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "timeout")
        XCTAssertGreaterThanOrEqual(try midjourney.events(named: "cancel").count, 1, "the cancel never reached the provider")
    }

    func testMissingKeyStopsOnlyThatProvider() async throws {
        var secrets = Self.secrets
        secrets["REPLICATE_API_TOKEN"] = nil
        try await startHost(secrets: secrets)
        let rep = try await run("stable-diffusion-v2")
        let sdxl = try await run("stable-diffusion-xl")
        await stopRunner()
        XCTAssertEqual(rep.state, .failed)
        XCTAssertTrue(rep.errorMessage?.contains("REPLICATE_API_TOKEN is not set") ?? false, rep.errorMessage ?? "")
        XCTAssertEqual(try replicate.requests().count, 0)
        try assertStored(sdxl, cost: 0.08)
    }
}
