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

/// The local-server plugins (ComfyUI, A1111/Forge) end to end through the host's pipeline
/// (catalog, routing, retries, fetch, storage, ledger) against their emulators.
final class LocalProviderPipelineTests: ProviderTestCase {
    var comfy: EmulatorProcess!
    var a1111: EmulatorProcess!
    var host: TestHost!
    var runner: JobRunner?
    var service: GenerationService!

    static let a1111Auth = Data("user:test-token-a1111".utf8).base64EncodedString()

    override func setUpWithError() throws {
        comfy = try sharedEmulator("comfyui", token: "test-token-comfyui")
        a1111 = try sharedEmulator("a1111", token: "test-token-a1111", arguments: ["--require-auth"])
    }

    func startHost(comfyURL: String? = nil, secrets: [String: String] = ["A1111_API_AUTH": LocalProviderPipelineTests.a1111Auth],
                   comfyExtra: String = "") async throws {
        let config = """
            {
              providers: {
                comfyui: { base_url: "\(comfyURL ?? comfy.baseURL)", poll_interval_ms: 20, gpu_usd_per_hour: 3.6 \(comfyExtra) },
                a1111: { base_url: "\(a1111.baseURL)", progress_interval_ms: 20 },
              },
              attestation: { attested_by: "Jane Doe, DPO", attested_at: "2026-01-15" },
              health: { failure_threshold: 100 },
            }
            """
        host = try TestHost(label: "local-e2e", plugins: ["comfyui", "a1111"], config: config)
        let settings = try Configuration.load(path: host.paths.config)
        let runtime = HostRuntime(paths: host.paths, configuration: settings, log: host.log, secrets: EnvironmentSecrets(environment: secrets))
        runtime.plugins.rescan()
        XCTAssertEqual(runtime.plugins.records.map(\.status), ["loaded", "loaded"])
        service = GenerationService(runtime: runtime, catalog: try SQLiteCatalog(path: host.paths.catalog))
        let r = JobRunner(service: service)
        await r.start()
        runner = r
    }

    override func tearDown() {
        if let host {
            for line in host.lines.lines {
                XCTAssertFalse(line.contains(Self.tokenPrefix), "key in log: \(line)")
                XCTAssertFalse(line.contains(Self.a1111Auth), "Basic credentials in log: \(line)")
            }
            for file in ["catalog.sqlite", "catalog.sqlite-wal"].map({ host.paths.data + "/" + $0 }) {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                XCTAssertNil(data.range(of: Data(Self.a1111Auth.utf8)), "a credential is stored in \(file)")
            }
        }
        host = nil
        super.tearDown()
    }

    func stopRunner() async {
        await runner?.stop(grace: 1)
        runner = nil
    }

    func enqueue(_ model: String, category: String? = nil, deadline: Double? = nil) throws -> String {
        try service.enqueue(GenerationRequest(model: model, prompt: "lace lingerie, soft window light", negativePrompt: "blurry",
                                              width: 512, height: 512, seed: 42, category: category, deadlineSeconds: deadline))[0].id
    }

    func wait(_ id: String, until done: (Job) -> Bool = { $0.state.isTerminal }) async throws -> Job {
        await runner?.wake()
        let end = Date().addingTimeInterval(20)
        while Date() < end {
            if let job = try service.catalog.job(id), done(job) { return job }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("job \(id) did not get there within 20 s")
        return try XCTUnwrap(try service.catalog.job(id))
    }

    func run(_ model: String, category: String? = nil) async throws -> Job {
        try await wait(try enqueue(model, category: category))
    }

    func assertStored(_ job: Job, cost: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(job.state, .succeeded, "\(job.errorCode ?? ""): \(job.errorMessage ?? "")", file: file, line: line)
        let images = try service.catalog.images(ImageFilter(jobID: job.id))
        XCTAssertEqual(images.count, 1, file: file, line: line)
        guard let image = images.first else { return }
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: host.paths.data + "/" + image.filePath), file: file, line: line)
        ProviderAssert.isWholePNG([UInt8](bytes), file: file, line: line)
        XCTAssertEqual(try XCTUnwrap(job.costUSD, file: file, line: line), cost, accuracy: 1e-9, file: file, line: line)
        XCTAssertEqual(job.costSource, "provider", file: file, line: line)
        let ledger = try service.catalog.ledger(since: nil).filter { $0.jobID == job.id }
        XCTAssertEqual(ledger.count, 1, file: file, line: line)
        XCTAssertEqual(ledger.first?.costUSD ?? -1, cost, accuracy: 1e-9, file: file, line: line)
    }

    // MARK: success

    func testEachLocalProviderGeneratesAStoredImageInAnAdultCategory() async throws {
        try await startHost()
        let comfyJob = try await run("comfyui-txt2img", category: "lingerie")
        let a1111Job = try await run("a1111-sd", category: "lingerie")
        await stopRunner()
        try assertStored(comfyJob, cost: 2.5 * 3.6 / 3600)
        XCTAssertEqual(comfyJob.providerTimeSeconds, 2.5)
        XCTAssertEqual(comfyJob.pluginID, "comfyui")
        try assertStored(a1111Job, cost: 0)
        XCTAssertEqual(a1111Job.pluginID, "a1111")
        XCTAssertEqual(try comfy.events(named: "prompt_queued").count, 1)
        XCTAssertEqual(try a1111.requests(kind: "create").count, 1)
    }

    // MARK: failures

    func testComfyExecutionErrorFailsTheJob() async throws {
        try comfy.scenario(["mode": "execution_error"])
        try await startHost()
        let job = try await run("comfyui-txt2img")
        await stopRunner()
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "provider_error")
        XCTAssertTrue(job.errorMessage?.contains("KSampler") ?? false, job.errorMessage ?? "")
        XCTAssertEqual(try service.catalog.images(ImageFilter(jobID: job.id)).count, 0)
    }

    func testComfyNodeErrorFailsAsAnInvalidRequest() async throws {
        try await startHost(comfyExtra: #", checkpoint: "gone.safetensors""#)
        let job = try await run("comfyui-txt2img")
        await stopRunner()
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "invalid_request")
        XCTAssertTrue(job.errorMessage?.contains("gone.safetensors") ?? false, job.errorMessage ?? "")
    }

    func testAComfyRestartLosesTheJobWhichIsQueuedAgainAndSucceeds() async throws {
        try comfy.scenario(["mode": "restart", "on": "job", "times": 1])
        try await startHost()
        let job = try await run("comfyui-txt2img")
        await stopRunner()
        try assertStored(job, cost: 2.5 * 3.6 / 3600)
        let ids = try comfy.events(named: "prompt_queued").compactMap { $0["prompt_id"]?.string }
        XCTAssertEqual(ids.count, 2, "lost once, queued again once")
        XCTAssertEqual(Set(ids).count, 1)
    }

    func testComfyServerDownFailsTheJobWithTheReason() async throws {
        try await startHost(comfyURL: "http://127.0.0.1:9")
        let job = try await run("comfyui-txt2img")
        await stopRunner()
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.errorMessage?.contains("nothing was sent") ?? false, job.errorMessage ?? "")
    }

    func testCancellingARunningComfyJobInterruptsIt() async throws {
        try comfy.scenario(["mode": "never_finishes"])
        try await startHost()
        let id = try enqueue("comfyui-txt2img")
        _ = try await wait(id) { $0.state == .running }
        _ = try service.catalog.requestCancel(id, now: Date())
        let job = try await wait(id)
        await stopRunner()
        XCTAssertEqual(job.state, .cancelled)
        XCTAssertEqual(try comfy.events(named: "interrupted").count, 1)
    }

    func testA1111WrongCredentialsFailTheJobNamingTheSecret() async throws {
        try await startHost(secrets: ["A1111_API_AUTH": Data("user:test-token-wrong".utf8).base64EncodedString()])
        let job = try await run("a1111-sd")
        await stopRunner()
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.errorMessage?.contains("A1111_API_AUTH") ?? false, job.errorMessage ?? "")
    }

    func testA1111MalformedAnswerIsAnUnknownOutcomeNeverSentTwice() async throws {
        try a1111.scenario(["mode": "malformed", "on": "create", "times": 1])
        try await startHost()
        let job = try await run("a1111-sd")
        await stopRunner()
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "submit_outcome_unknown")
        XCTAssertEqual(try a1111.requests(kind: "create").count, 1)
    }
}
