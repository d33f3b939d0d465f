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

/// fal.ai, Black Forest Labs and OpenAI end to end through the host's pipeline (jobs in the
/// catalog, routing, retries, fetch, storage, ledger) against their emulators; Replicate is
/// loaded beside them as the provider adult categories go to instead.
final class HostedProviderPipelineTests: ProviderTestCase {
    var fal: EmulatorProcess!
    var bfl: EmulatorProcess!
    var openai: EmulatorProcess!
    var replicate: EmulatorProcess!
    var host: TestHost!
    var runner: JobRunner?
    var service: GenerationService!

    static let secrets = ["FAL_KEY": "test-token-fal", "BFL_API_KEY": "test-token-bfl", "OPENAI_API_KEY": "test-token-openai",
                          "REPLICATE_API_TOKEN": "test-token-replicate"]

    override func setUpWithError() throws {
        fal = try sharedEmulator("fal", token: Self.secrets["FAL_KEY"]!)
        bfl = try sharedEmulator("bfl", token: Self.secrets["BFL_API_KEY"]!)
        openai = try sharedEmulator("openai", token: Self.secrets["OPENAI_API_KEY"]!)
        replicate = try sharedEmulator("replicate", token: Self.secrets["REPLICATE_API_TOKEN"]!)
    }

    /// A host with the four plugins against the emulators, an adult-content attestation, and
    /// Replicate's FLUX [dev] as a second candidate of `fal-flux-dev`.
    func startHost() async throws {
        let config = """
            {
              attestation: { attested_by: "Jane Doe, DPO", attested_at: "2026-01-15" },
              providers: {
                fal: { base_url: "\(fal.baseURL)", poll_interval_ms: 20 },
                bfl: { base_url: "\(bfl.baseURL)", poll_interval_ms: 20 },
                openai: { base_url: "\(openai.baseURL)/v1" },
                replicate: { base_url: "\(replicate.baseURL)/v1", poll_interval_ms: 20 },
              },
              models: {
                "fal-flux-dev": { candidates: [ { plugin: "replicate", provider_model: "black-forest-labs/flux-dev" } ] },
              },
              health: { failure_threshold: 100 },
            }
            """
        host = try TestHost(label: "hosted-e2e", plugins: ["fal", "bfl", "openai", "replicate"], config: config)
        let settings = try Configuration.load(path: host.paths.config)
        let runtime = HostRuntime(paths: host.paths, configuration: settings, log: host.log,
                                  secrets: EnvironmentSecrets(environment: Self.secrets))
        runtime.plugins.rescan()
        XCTAssertEqual(runtime.plugins.records.map(\.status), ["loaded", "loaded", "loaded", "loaded"])
        service = GenerationService(runtime: runtime, catalog: try SQLiteCatalog(path: host.paths.catalog))
        let r = JobRunner(service: service)
        await r.start()
        runner = r
    }

    override func tearDown() {
        if let host {
            for line in host.lines.lines { XCTAssertFalse(line.contains(Self.tokenPrefix), "key in log: \(line)") }
            let files = ["catalog.sqlite", "catalog.sqlite-wal"].map { host.paths.data + "/" + $0 }
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
    func run(_ model: String, width: Int = 512, height: Int = 512, category: String? = nil, deadline: Double? = nil) async throws -> Job {
        let jobs = try service.enqueue(GenerationRequest(model: model, prompt: "a red bicycle on a beach", negativePrompt: "blurry",
                                                         width: width, height: height, seed: 42, category: category,
                                                         deadlineSeconds: deadline))
        await runner?.wake()
        let end = Date().addingTimeInterval(20)
        while Date() < end {
            if let job = try service.catalog.job(jobs[0].id), job.state.isTerminal { return job }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("job \(jobs[0].id) did not finish within 20 s")
        return try XCTUnwrap(try service.catalog.job(jobs[0].id))
    }

    func assertStored(_ job: Job, cost: Double, source: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(job.state, .succeeded, "\(job.errorCode ?? ""): \(job.errorMessage ?? "")", file: file, line: line)
        let images = try service.catalog.images(ImageFilter(jobID: job.id))
        XCTAssertEqual(images.count, 1, file: file, line: line)
        guard let image = images.first else { return }
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: host.paths.data + "/" + image.filePath), file: file, line: line)
        ProviderAssert.isWholePNG([UInt8](bytes), file: file, line: line)
        XCTAssertEqual(try XCTUnwrap(image.metadata.cost, file: file, line: line), cost, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(try XCTUnwrap(job.costUSD, file: file, line: line), cost, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(job.costSource, source, file: file, line: line)
        let ledger = try service.catalog.ledger(since: nil).filter { $0.jobID == job.id }
        XCTAssertEqual(ledger.count, 1, file: file, line: line)
        XCTAssertEqual(ledger.first?.costUSD ?? -1, cost, accuracy: 1e-12, file: file, line: line)
    }

    // MARK: success and money

    func testEachHostedProviderGeneratesAStoredExactlyPricedImage() async throws {
        try openai.scenario(["mode": "usage", "input_text": 14, "output_image": 1056])
        try await startHost()
        let falJob = try await run("fal-flux-dev")
        let bflJob = try await run("flux-2-pro", width: 2048, height: 1024)
        let gptJob = try await run("gpt-image-1", width: 1024, height: 1024)
        await stopRunner()
        // fal: its per-output rule, $0.025 per megapixel × 512² px.
        try assertStored(falJob, cost: 0.025 * 512 * 512 / 1_000_000, source: "rule")
        XCTAssertEqual(falJob.pluginID, "fal")
        // BFL: the cost it reported, 4.65 credits for 2.10 MP (its rule would say $0.03).
        try assertStored(bflJob, cost: 0.0465, source: "provider")
        XCTAssertEqual(bflJob.pluginID, "bfl")
        // OpenAI: the reported tokens at gpt-image-1's prices, 14 × $5/M + 1056 × $40/M.
        try assertStored(gptJob, cost: (14 * 5 + 1056 * 40) / 1_000_000, source: "rule")
        XCTAssertEqual(gptJob.pluginID, "openai")
        XCTAssertEqual(try fal.requests(kind: "create").count, 1)
        XCTAssertEqual(try bfl.requests(kind: "create").count, 1)
        XCTAssertEqual(try openai.requests(kind: "create").count, 1)
    }

    func testRateLimitedSubmitIsRetriedAfterRetryAfterToASuccess() async throws {
        try fal.scenario(["mode": "rate_limited", "on": "create", "times": 1, "retry_after": 1])
        try await startHost()
        let job = try await run("fal-flux-dev")
        await stopRunner()
        try assertStored(job, cost: 0.025 * 512 * 512 / 1_000_000, source: "rule")
        let creates = try fal.requests(kind: "create").compactMap { $0["at"]?.number }
        XCTAssertEqual(creates.count, 2)
        XCTAssertGreaterThanOrEqual(creates[1] - creates[0], 0.95, "the retry came before Retry-After (1 s) had passed")
    }

    // MARK: failure modes end in the right job state

    func testFalFailureModes() async throws {
        try await startHost()
        // Out of balance: quota, so the job fails over to the next candidate, or fails without one.
        try fal.scenario(["mode": "locked", "on": "create", "times": 2])
        let failedOver = try await run("fal-flux-dev")
        XCTAssertEqual(failedOver.state, .succeeded, failedOver.errorMessage ?? "")
        XCTAssertEqual(failedOver.pluginID, "replicate")
        let locked = try await run("fal-flux-schnell")
        XCTAssertEqual(locked.state, .failed)
        XCTAssertTrue(locked.errorMessage?.contains("Exhausted balance") ?? false, locked.errorMessage ?? "")
        XCTAssertEqual(try fal.requests(kind: "create").count, 2, "quota is not retried at the same provider")
        try fal.scenario(["mode": "nsfw"])
        let flagged = try await run("fal-flux-dev")
        XCTAssertEqual(flagged.state, .contentFiltered)
        XCTAssertEqual(try service.catalog.images(ImageFilter(jobID: flagged.id)).count, 0)
        try fal.reset()
        try fal.scenario(["mode": "request_error"])
        let failed = try await run("fal-flux-dev")
        XCTAssertEqual(failed.state, .failed)
        XCTAssertTrue(failed.errorMessage?.contains("request_timeout") ?? false, failed.errorMessage ?? "")
        try fal.reset()
        try fal.scenario(["mode": "expired_output", "on": "file"])
        let expired = try await run("fal-flux-dev")
        XCTAssertEqual(expired.state, .failed)
        XCTAssertEqual(expired.errorCode, "not_found")
        try fal.reset()
        try fal.scenario(["mode": "drop", "on": "create", "times": 1])
        let dropped = try await run("fal-flux-dev")
        await stopRunner()
        XCTAssertEqual(dropped.state, .failed)
        XCTAssertEqual(dropped.errorCode, "submit_outcome_unknown")
        XCTAssertEqual(try fal.requests(kind: "create").count, 1, "a create that may have arrived is never repeated")
    }

    func testBFLFailureModes() async throws {
        try await startHost()
        try bfl.scenario(["mode": "request_moderated"])
        let input = try await run("flux-2-pro")
        XCTAssertEqual(input.state, .contentFiltered)
        XCTAssertTrue(input.errorMessage?.contains("input moderation") ?? false, input.errorMessage ?? "")
        try bfl.reset()
        try bfl.scenario(["mode": "content_moderated"])
        let output = try await run("flux-2-pro")
        XCTAssertEqual(output.state, .contentFiltered)
        XCTAssertTrue(output.errorMessage?.contains("output moderation") ?? false, output.errorMessage ?? "")
        try bfl.reset()
        try bfl.scenario(["mode": "expired_output", "on": "file"])
        let expired = try await run("flux-2-pro")
        XCTAssertEqual(expired.state, .failed)
        XCTAssertEqual(expired.errorCode, "not_found")
        XCTAssertTrue(expired.errorMessage?.contains("10 minutes") ?? false, expired.errorMessage ?? "")
        XCTAssertEqual(try bfl.requests(kind: "file").count, 1, "an expired URL is not retried")
        try bfl.reset()
        try bfl.scenario(["mode": "insufficient_credits", "on": "create"])
        let broke = try await run("flux-2-pro")
        await stopRunner()
        XCTAssertEqual(broke.state, .failed)
        XCTAssertTrue(broke.errorMessage?.contains("Insufficient credits") ?? false, broke.errorMessage ?? "")
        XCTAssertEqual(try bfl.requests(kind: "create").count, 1, "quota is not retried at the same provider")
    }

    func testOpenAIFailureModes() async throws {
        try await startHost()
        try openai.scenario(["mode": "moderation_blocked", "on": "create", "times": 1])
        let blocked = try await run("gpt-image-2", width: 1024, height: 1024)
        XCTAssertEqual(blocked.state, .contentFiltered)
        XCTAssertEqual(try openai.requests(kind: "create").count, 1, "content filtered is final: not retried")
        try openai.reset()
        try openai.scenario(["mode": "insufficient_quota", "on": "create"])
        let broke = try await run("gpt-image-2", width: 1024, height: 1024)
        XCTAssertEqual(broke.state, .failed)
        XCTAssertEqual(try openai.requests(kind: "create").count, 1)
        try openai.reset()
        try openai.scenario(["mode": "truncated_image"])
        let truncated = try await run("gpt-image-2", width: 1024, height: 1024)
        XCTAssertEqual(truncated.state, .failed)
        XCTAssertTrue(truncated.errorMessage?.contains("truncated") ?? false, truncated.errorMessage ?? "")
        try openai.reset()
        try openai.scenario(["mode": "malformed", "on": "create", "times": 1])
        let unclear = try await run("gpt-image-2", width: 1024, height: 1024)
        await stopRunner()
        XCTAssertEqual(unclear.state, .failed)
        XCTAssertEqual(unclear.errorCode, "submit_outcome_unknown")
        XCTAssertEqual(try openai.requests(kind: "create").count, 1, "a generation that may have been billed is never repeated")
    }

    func testServerErrorIsRetriedWhileAuthAndAHangingGenerationFailWithoutResending() async throws {
        try await startHost()
        try bfl.scenario(["mode": "server_error", "on": "create", "times": 1])
        let retried = try await run("flux-2-pro")
        XCTAssertEqual(retried.state, .succeeded, retried.errorMessage ?? "")
        XCTAssertEqual(try bfl.requests(kind: "create").count, 2, "a 500 proves BFL did not take the task: sent again")
        try openai.scenario(["mode": "unauthorized", "on": "create", "times": 1])
        let refused = try await run("gpt-image-2", width: 1024, height: 1024)
        XCTAssertEqual(refused.state, .failed)
        XCTAssertTrue(refused.errorMessage?.contains("OPENAI_API_KEY") ?? false, refused.errorMessage ?? "")
        try openai.scenario(["mode": "hang", "on": "create", "times": 1, "max_seconds": 20])
        let hung = try await run("gpt-image-2", width: 1024, height: 1024, deadline: 1)
        await stopRunner()
        XCTAssertEqual(hung.state, .failed)
        XCTAssertTrue(["timeout", "submit_outcome_unknown"].contains(hung.errorCode ?? ""), "\(hung.errorCode ?? ""): \(hung.errorMessage ?? "")")
        XCTAssertEqual(try openai.requests(kind: "create").count, 2, "the generation that hung was not sent again")
    }

    // MARK: adult categories

    func testAdultCategoryNeverReachesTheHostedProviders() async throws {
        try await startHost()
        // The same model for a product image goes to fal (the first candidate) ...
        let product = try await run("fal-flux-dev", category: "product")
        XCTAssertEqual(product.pluginID, "fal")
        XCTAssertEqual(try fal.requests(kind: "create").count, 1)
        // ... and for lingerie to Replicate, the candidate whose terms allow it.
        let lingerie = try await run("fal-flux-dev", category: "lingerie")
        XCTAssertEqual(lingerie.state, .succeeded, lingerie.errorMessage ?? "")
        XCTAssertEqual(lingerie.pluginID, "replicate")
        XCTAssertEqual(try fal.requests(kind: "create").count, 1, "fal never saw the lingerie request")
        // Models served only by BFL or OpenAI refuse adult categories before anything is queued.
        for model in ["flux-2-pro", "gpt-image-2"] {
            XCTAssertThrowsError(try service.enqueue(GenerationRequest(model: model, prompt: "a silk robe", width: 1024, height: 1024,
                                                                       category: "lingerie"))) { error in
                XCTAssertTrue("\(error)".contains("terms allow it"), "\(error)")
            }
        }
        await stopRunner()
        XCTAssertEqual(try bfl.requests().count, 0)
        XCTAssertEqual(try openai.requests().count, 0)
    }
}
