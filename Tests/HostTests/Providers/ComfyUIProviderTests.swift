import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// The ComfyUI plugin through the C ABI against `Tests/Emulators/comfyui_emulator.py`.
final class ComfyUIProviderTests: ProviderTestCase {
    static let token = "test-token-comfyui"

    override func setUpWithError() throws {
        try startEmulator("comfyui", token: Self.token)
    }

    func plugin(_ config: [String: JSONValue] = [:], secrets: [String: String] = [:]) throws -> ProviderHarness {
        var c = config
        if c["poll_interval_ms"] == nil { c["poll_interval_ms"] = 10 }
        return try harness("comfyui", config: c, secrets: secrets)
    }

    func queuedPromptIDs() throws -> [String] { try emulator.events(named: "prompt_queued").compactMap { $0["prompt_id"]?.string } }

    /// The node of the queued graph whose title is `title`.
    func node(_ title: String, in create: JSONValue?) -> JSONValue? {
        create?["json"]?["prompt"]?.object?.values.first { $0["_meta"]?["title"]?.string == title }
    }

    // MARK: generation

    func testGenerationPatchesTheWorkflowByTitleQueuesItUnderADerivedPromptIDAndFetchesTheImage() throws {
        let p = try plugin()
        let request = ProviderHarness.request(model: "txt2img", prompt: "silk robe, studio light", negative: "blurry",
                                              width: 640, height: 832, steps: 25, guidance: 6.5, seed: 1234, outputs: 2)
        let submitted = try p.submit(request).get()
        XCTAssertEqual(submitted["state"]?.string, "queued")
        let create = try XCTUnwrap(emulator.requests(kind: "create").first)
        let promptID = try XCTUnwrap(create["json"]?["prompt_id"]?.string)
        XCTAssertNotNil(promptID.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression),
                        "\(promptID) is not a canonical lowercase v8 UUID")
        XCTAssertEqual(node("imagegen.prompt", in: create)?["inputs"]?["text"]?.string, "silk robe, studio light")
        XCTAssertEqual(node("imagegen.negative", in: create)?["inputs"]?["text"]?.string, "blurry")
        XCTAssertEqual(node("imagegen.latent", in: create)?["inputs"], ["width": 640, "height": 832, "batch_size": 2])
        let sampler = node("imagegen.sampler", in: create)?["inputs"]
        XCTAssertEqual([sampler?["seed"], sampler?["steps"], sampler?["cfg"]], [1234, 25, 6.5])

        let done = try p.pollUntilDone(submitted)
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        XCTAssertEqual(done["outputs"]?.array?.count, 2)
        XCTAssertEqual(done["provider_time_s"]?.number, 2.5, "GPU time from the execution timestamps")
        XCTAssertEqual(done["cost_usd"]?.number, 0, "no rate configured: the studio's own GPU costs nothing per job")
        XCTAssertEqual(done["seed"]?.number, 1234)
        let ref = try XCTUnwrap(done["ref"])
        for i in 0..<2 { ProviderAssert.isWholePNG(try p.fetch(ref, i).get()) }
        XCTAssertEqual(try queuedPromptIDs(), [promptID], "queued exactly once")
    }

    func testTheSameJobIDAlwaysMapsToTheSamePromptID() throws {
        var o = ProviderHarness.request(model: "txt2img").object ?? [:]
        o["job_id"] = "job_0abc123xyz"
        let request = JSONValue.object(o)
        _ = try plugin().submit(request).get()
        // Another instance (a restarted host) derives the same id and so finds the job.
        guard case .found(let found)? = try plugin(["reconcile_settle_ms": 0]).instance.reconcile(request) else {
            return XCTFail("a fresh instance did not find the job")
        }
        XCTAssertEqual(found["ref"]?["prompt_id"]?.string, try queuedPromptIDs().first)
    }

    func testCostIsGPUSecondsTimesTheConfiguredRate() throws {
        let p = try plugin(["gpu_usd_per_hour": 3.6])
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "txt2img")).get())
        XCTAssertEqual(try XCTUnwrap(done["cost_usd"]?.number), 2.5 * 3.6 / 3600, accuracy: 1e-12)
    }

    func testCheckpointAndLoRAFromTheModelArePatchedAndAWorkflowWithoutALoRANodeRefusesOne() throws {
        let folder = TestEnvironment.temporaryDirectory("comfy-workflows")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var graph = try XCTUnwrap(JSONValue.parse(Array(try String(contentsOfFile: TestEnvironment.repositoryRoot
                                                                     + "/docs/examples/comfyui/txt2img.json", encoding: .utf8).utf8))?.object)
        graph["10"] = ["class_type": "LoraLoader", "_meta": ["title": "imagegen.lora"],
                       "inputs": ["model": ["4", 0], "clip": ["4", 1], "lora_name": "none.safetensors", "strength_model": 1, "strength_clip": 1]]
        graph["3"] = .object((graph["3"]?.object ?? [:]).merging(["inputs": .object((graph["3"]?["inputs"]?.object ?? [:])
                                                                                     .merging(["model": ["10", 0]]) { _, b in b })]) { _, b in b })
        try JSONValue.object(graph).encoded().write(to: URL(fileURLWithPath: folder + "/lora.json"))
        let p = try plugin(["workflows_dir": .string(folder)])
        let model = "lora?checkpoint=sdxl%2FjuggernautXL.safetensors&lora=silk-lingerie.safetensors&lora_strength=0.7"
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: model)).get())
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        let create = try XCTUnwrap(emulator.requests(kind: "create").first)
        XCTAssertEqual(node("imagegen.checkpoint", in: create)?["inputs"]?["ckpt_name"]?.string, "sdxl/juggernautXL.safetensors")
        XCTAssertEqual(node("imagegen.lora", in: create)?["inputs"]?["lora_name"]?.string, "silk-lingerie.safetensors")
        XCTAssertEqual(node("imagegen.lora", in: create)?["inputs"]?["strength_model"]?.number, 0.7)
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "txt2img?lora=silk-lingerie.safetensors")), with: .invalidRequest,
                             ["imagegen.lora"])
    }

    func testTheBuiltInWorkflowIsTheShippedExample() throws {
        let shipped = try String(contentsOfFile: TestEnvironment.repositoryRoot + "/docs/examples/comfyui/txt2img.json", encoding: .utf8)
        _ = try plugin().submit(ProviderHarness.request(model: "txt2img")).get()
        let sent = try XCTUnwrap(emulator.requests(kind: "create").first?["json"]?["prompt"])
        // The sent graph is the example with the request patched in: same nodes, classes and links.
        let example = try XCTUnwrap(JSONValue.parse(Array(shipped.utf8))?.object)
        XCTAssertEqual(Set(sent.object?.keys.map { $0 } ?? []), Set(example.keys))
        for (id, node) in example {
            XCTAssertEqual(sent[id]?["class_type"], node["class_type"], id)
            XCTAssertEqual(sent[id]?["_meta"], node["_meta"], id)
        }
    }

    // MARK: failures

    func testNodeValidationErrorIsInvalidRequestNamingTheNodeAndTheValue() throws {
        let p = try plugin()
        let e = ProviderAssert.fails(p.submit(ProviderHarness.request(model: "txt2img?checkpoint=missing.safetensors")), with: .invalidRequest,
                                     ["HTTP 400", "prompt_outputs_failed_validation", "node 4 (CheckpointLoaderSimple)", "value_not_in_list",
                                      "missing.safetensors"])
        XCTAssertNotNil(e)
        XCTAssertEqual(try queuedPromptIDs(), [])
    }

    func testExecutionErrorFailsTheJobWithTheNodeAndException() throws {
        try emulator.scenario(["mode": "execution_error"])
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "txt2img")).get())
        XCTAssertEqual(done["state"]?.string, "failed")
        XCTAssertEqual(done["error"]?["status"]?.number, Double(PluginStatus.provider.rawValue))
        let message = done["error"]?["message"]?.string ?? ""
        for word in ["node 3 (KSampler)", "torch.OutOfMemoryError", "out of memory"] {
            XCTAssertTrue(message.contains(word), "\"\(message)\" should mention \(word)")
        }
    }

    func testAJobThatVanishedInARestartIsLostThenQueuedAgainUnderTheSameID() throws {
        let p = try plugin()
        let submitted = try p.submit(ProviderHarness.request(model: "txt2img")).get()
        let running = try p.poll(try XCTUnwrap(submitted["ref"])).get()
        XCTAssertEqual(running["state"]?.string, "running")
        try emulator.scenario(["mode": "restart", "on": "job", "times": 1])
        let lost = try p.poll(try XCTUnwrap(running["ref"])).get()
        XCTAssertEqual(lost["state"]?.string, "queued", "a vanished job is lost and sent again, never reported done")
        XCTAssertEqual(lost["ref"]?["resubmits"]?.number, 1)
        let done = try p.pollUntilDone(lost)
        XCTAssertEqual(done["state"]?.string, "succeeded")
        let ids = try queuedPromptIDs()
        XCTAssertEqual(ids.count, 2)
        XCTAssertEqual(Set(ids).count, 1, "queued again under the same prompt_id")
        XCTAssertEqual(try emulator.events(named: "restarted").count, 1)
        XCTAssertTrue(p.lines.lines.contains { $0.contains("is lost") })
    }

    func testAJobLostMoreOftenThanAllowedFailsAsNotFound() throws {
        let p = try plugin(["max_resubmits": 0])
        let submitted = try p.submit(ProviderHarness.request(model: "txt2img")).get()
        try emulator.scenario(["mode": "restart", "on": "job", "times": 1])
        let r = try p.poll(try XCTUnwrap(submitted["ref"])).get()
        XCTAssertEqual(r["state"]?.string, "failed")
        XCTAssertEqual(r["error"]?["status"]?.number, Double(PluginStatus.notFound.rawValue))
        XCTAssertTrue(r["error"]?["message"]?.string?.contains("lost") ?? false, "\(r)")
        XCTAssertEqual(try queuedPromptIDs().count, 1)
    }

    func testAnOlderServerWithoutTheJobsRouteIsFollowedThroughQueueAndHistory() throws {
        try emulator.scenario(["mode": "legacy"])
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "txt2img")).get())
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        XCTAssertEqual(done["provider_time_s"]?.number, 2.5)
        XCTAssertFalse(try emulator.requests(kind: "history").isEmpty)
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(done["ref"]), 0).get())
    }

    func testALostAnswerToTheSubmitIsResolvedByLookingThePromptUp() throws {
        for mode in ["drop", "malformed"] {
            try emulator.reset()
            try emulator.scenario(["mode": .string(mode), "on": "create", "times": 1])
            let p = try plugin()
            let submitted = try p.submit(ProviderHarness.request(model: "txt2img")).get()
            XCTAssertNotNil(submitted["ref"]?["prompt_id"], mode)
            XCTAssertEqual(try queuedPromptIDs().count, 1, "\(mode): found, not sent again")
            XCTAssertEqual(try p.pollUntilDone(submitted)["state"]?.string, "succeeded", mode)
        }
    }

    func testServerDownIsAProviderErrorWithNothingSent() throws {
        let p = try harness("comfyui", config: ["base_url": "http://127.0.0.1:9"], secrets: [:])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "txt2img")), with: .provider, ["nothing was sent"])
    }

    func testServerErrorOnARead() throws {
        let p = try plugin()
        let submitted = try p.submit(ProviderHarness.request(model: "txt2img")).get()
        try emulator.scenario(["mode": "server_error", "on": "job", "times": 1])
        ProviderAssert.fails(p.poll(try XCTUnwrap(submitted["ref"])), with: .provider, ["HTTP 500"])
        XCTAssertEqual(try p.pollUntilDone(submitted)["state"]?.string, "succeeded")
    }

    func testTruncatedImageIsRefused() throws {
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "txt2img")).get())
        try emulator.scenario(["mode": "truncated_image", "on": "view", "times": 1])
        ProviderAssert.fails(p.fetch(try XCTUnwrap(done["ref"]), 0), with: .provider, ["truncated PNG"])
    }

    func testCancelDequeuesAPendingJobAndInterruptsOnlyItsOwnRunningJob() throws {
        try emulator.scenario(["mode": "never_finishes"])
        let p = try plugin()
        let pending = try p.submit(ProviderHarness.request(model: "txt2img")).get()
        try p.cancel(try XCTUnwrap(pending["ref"])).get()
        XCTAssertEqual(try emulator.events(named: "dequeued").count, 1)
        XCTAssertEqual(try emulator.events(named: "interrupted").count, 0, "nothing of ours was running")

        let other = try p.submit(ProviderHarness.request(model: "txt2img")).get()
        let running = try p.poll(try XCTUnwrap(other["ref"])).get()
        XCTAssertEqual(running["state"]?.string, "running")
        try p.cancel(try XCTUnwrap(running["ref"])).get()
        XCTAssertEqual(try emulator.events(named: "interrupted").compactMap { $0["prompt_id"]?.string },
                       [try XCTUnwrap(running["ref"]?["prompt_id"]?.string)])
        XCTAssertEqual(try p.poll(try XCTUnwrap(running["ref"])).get()["state"]?.string, "cancelled")
        let interrupt = try XCTUnwrap(emulator.requests().last { $0["path"]?.string == "/interrupt" })
        XCTAssertEqual(interrupt["json"]?["prompt_id"], running["ref"]?["prompt_id"], "a targeted interrupt, never a global one")
    }

    // MARK: reconcile

    func testReconcileFindsAQueuedJobAndReportsAnAbsentOne() throws {
        let p = try plugin(["reconcile_settle_ms": 10])
        let request = ProviderHarness.request(model: "txt2img")
        guard case .absent? = try p.instance.reconcile(request) else { return XCTFail("nothing was queued yet") }
        XCTAssertEqual(try queuedPromptIDs().count, 0, "reconcile never queues anything")
        _ = try p.submit(request).get()
        guard case .found(let found)? = try p.instance.reconcile(request) else { return XCTFail("the queued job was not found") }
        XCTAssertEqual(found["ref"]?["prompt_id"]?.string, try queuedPromptIDs().first)
        XCTAssertEqual(try p.pollUntilDone(found)["state"]?.string, "succeeded")
    }

    func testReconcileWhenTheServerIsDownIsAnErrorNotAnAnswer() throws {
        let p = try harness("comfyui", config: ["base_url": "http://127.0.0.1:9"], secrets: [:])
        XCTAssertThrowsError(try p.instance.reconcile(ProviderHarness.request(model: "txt2img"))) {
            XCTAssertEqual(($0 as? PluginCallError)?.status, .provider)
        }
    }

    // MARK: auth, policy

    func testCredentialsForAProxyInFrontOfComfyUI() throws {
        let guarded = try sharedEmulator("comfyui", token: Self.token, arguments: ["--require-auth"])
        let config: [String: JSONValue] = ["base_url": .string(guarded.baseURL)]
        ProviderAssert.fails(try plugin(config).submit(ProviderHarness.request(model: "txt2img")), with: .auth,
                             ["HTTP 401", "COMFYUI_AUTH", "Bearer"])
        ProviderAssert.fails(try plugin(config, secrets: ["COMFYUI_AUTH": "Bearer test-token-wrong"])
            .submit(ProviderHarness.request(model: "txt2img")), with: .auth, ["HTTP 401"])
        let p = try plugin(config, secrets: ["COMFYUI_AUTH": "Bearer " + Self.token])
        XCTAssertEqual(try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "txt2img")).get())["state"]?.string, "succeeded")
    }

    func testAdultContentIsAllowedByALocalServer() throws {
        let p = try plugin()
        XCTAssertTrue(p.generation.manifest.nsfwAllowed)
        XCTAssertFalse(p.generation.manifest.idempotentSubmit, "ComfyUI runs a repeated prompt_id twice: not idempotent")
        XCTAssertTrue(try p.instance.offersReconcile())
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "txt2img", prompt: "lace lingerie, boudoir portrait",
                                                                            allowNSFW: true)).get())
        XCTAssertEqual(done["state"]?.string, "succeeded")
    }
}
