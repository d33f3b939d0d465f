import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// The A1111/Forge plugin through the C ABI against `Tests/Emulators/a1111_emulator.py`.
final class A1111ProviderTests: ProviderTestCase {
    static let token = "test-token-a1111"
    /// `--api-auth user:<token>` as the secret holds it: base64 of user:pass.
    static let basic = Data("user:\(token)".utf8).base64EncodedString()

    override func setUpWithError() throws {
        try startEmulator("a1111", token: Self.token)
    }

    func plugin(_ config: [String: JSONValue] = [:], secrets: [String: String] = [:], clock: TestClock = TestClock()) throws -> ProviderHarness {
        var c = config
        if c["progress_interval_ms"] == nil { c["progress_interval_ms"] = 20 }
        return try harness("a1111", config: c, secrets: secrets, clock: clock)
    }

    func creates() throws -> [JSONValue] { try emulator.requests(kind: "create") }

    func testTxt2ImgIsSynchronousAndTheImagesTravelInTheReference() throws {
        let p = try plugin(["sampler_name": "DPM++ 2M"])
        let r = try p.submit(ProviderHarness.request(model: "default", prompt: "lace bodysuit, window light", negative: "text",
                                                     width: 640, height: 768, steps: 28, guidance: 6, seed: 99, outputs: 2)).get()
        XCTAssertEqual(r["state"]?.string, "succeeded", "txt2img answers when the images exist")
        XCTAssertEqual(r["outputs"]?.array?.count, 2)
        XCTAssertEqual(r["seed"]?.number, 99, "from info.seed")
        XCTAssertEqual(r["cost_usd"]?.number, 0)
        let ref = try XCTUnwrap(r["ref"])
        let before = try emulator.requests().count
        for i in 0..<2 { ProviderAssert.isWholePNG(try p.fetch(ref, i).get()) }
        XCTAssertEqual(try p.poll(ref).get()["state"]?.string, "succeeded")
        XCTAssertEqual(try emulator.requests().count, before, "poll and fetch read the reference")

        let body = try XCTUnwrap(creates().first?["json"])
        XCTAssertEqual(body["prompt"]?.string, "lace bodysuit, window light")
        XCTAssertEqual(body["negative_prompt"]?.string, "text")
        XCTAssertEqual([body["width"], body["height"], body["steps"], body["cfg_scale"], body["seed"], body["batch_size"]],
                       [640, 768, 28, 6, 99, 2])
        XCTAssertEqual(body["sampler_name"]?.string, "DPM++ 2M")
        XCTAssertEqual(body["send_images"]?.bool, true)
        XCTAssertNil(body["override_settings"], "\"default\" keeps the loaded checkpoint")
        XCTAssertTrue(body["force_task_id"]?.string?.hasPrefix("task(imagegen-") ?? false)
    }

    func testACheckpointModelIsLoadedForTheRequestAndRestored() throws {
        _ = try plugin().submit(ProviderHarness.request(model: "juggernautXL_v9.safetensors [c9e3e68f89]")).get()
        let body = try XCTUnwrap(creates().first?["json"])
        XCTAssertEqual(body["override_settings"]?["sd_model_checkpoint"]?.string, "juggernautXL_v9.safetensors [c9e3e68f89]")
        XCTAssertEqual(body["override_settings_restore_afterwards"]?.bool, true)
    }

    func testCostIsGenerationTimeTimesTheRate() throws {
        let r = try plugin(["gpu_usd_per_hour": 1.8]).submit(ProviderHarness.request(model: "default")).get()
        let seconds = try XCTUnwrap(r["provider_time_s"]?.number)
        XCTAssertEqual(try XCTUnwrap(r["cost_usd"]?.number), seconds * 1.8 / 3600, accuracy: 1e-12)
    }

    func testProgressIsReadWhileTheGenerationBlocks() throws {
        try emulator.scenario(["mode": "slow", "seconds": 0.5])
        let r = try plugin().submit(ProviderHarness.request(model: "default")).get()
        XCTAssertEqual(r["state"]?.string, "succeeded")
        XCTAssertFalse(try emulator.requests(kind: "progress").isEmpty, "the watcher never read /sdapi/v1/progress")
    }

    // MARK: auth

    func testBasicAuthFromTheSecret() throws {
        let guarded = try sharedEmulator("a1111", token: Self.token, arguments: ["--require-auth"])
        let config: [String: JSONValue] = ["base_url": .string(guarded.baseURL)]
        ProviderAssert.fails(try plugin(config).submit(ProviderHarness.request(model: "default")), with: .auth,
                             ["HTTP 401", "--api-auth", "A1111_API_AUTH", "base64"])
        ProviderAssert.fails(try plugin(config, secrets: ["A1111_API_AUTH": Data("user:test-token-wrong".utf8).base64EncodedString()])
            .submit(ProviderHarness.request(model: "default")), with: .auth, ["Check that A1111_API_AUTH"])
        let ok = try plugin(config, secrets: ["A1111_API_AUTH": Self.basic]).submit(ProviderHarness.request(model: "default")).get()
        XCTAssertEqual(ok["state"]?.string, "succeeded")
        XCTAssertEqual(try guarded.requests(kind: "create").last?["auth_ok"]?.bool, true)
    }

    // MARK: failures

    func testServerDownIsAProviderErrorWithNothingSent() throws {
        let p = try harness("a1111", config: ["base_url": "http://127.0.0.1:9", "progress_interval_ms": 0], secrets: [:])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "default")), with: .provider, ["nothing was sent"])
    }

    func testWithoutTheAPIFlagIsUnsupportedWithTheFix() throws {
        try emulator.scenario(["mode": "no_api", "on": "create", "times": 1])
        ProviderAssert.fails(try plugin().submit(ProviderHarness.request(model: "default")), with: .unsupported, ["--api"])
    }

    func testOutOfMemoryIsAProviderErrorWithTheReason() throws {
        try emulator.scenario(["mode": "server_error", "on": "create", "times": 1])
        ProviderAssert.fails(try plugin().submit(ProviderHarness.request(model: "default")), with: .provider,
                             ["HTTP 500", "CUDA out of memory"])
    }

    func testUnknownSamplerIsReported() throws {
        ProviderAssert.fails(try plugin(["sampler_name": "Nope"]).submit(ProviderHarness.request(model: "default")), with: .provider,
                             ["Sampler not found: Nope"])
    }

    func testMalformedAnswerIsAnUnknownOutcomeAndNotSentAgain() throws {
        try emulator.scenario(["mode": "malformed", "on": "create", "times": 1])
        ProviderAssert.fails(try plugin().submit(ProviderHarness.request(model: "default")), with: .timeout, ["not valid JSON", "not sent again"])
        XCTAssertEqual(try creates().count, 1)
    }

    func testDroppedAnswerAfterTheRunFinishedFailsAsLostNotUnknown() throws {
        try emulator.scenario(["mode": "drop", "on": "create", "times": 1])
        let r = try plugin().submit(ProviderHarness.request(model: "default")).get()
        XCTAssertEqual(r["state"]?.string, "failed", "the task registry says the run finished: its answer is lost")
        XCTAssertTrue(r["error"]?["message"]?.string?.contains("answer was lost") ?? false, "\(r)")
        XCTAssertEqual(try creates().count, 1)
    }

    func testTruncatedImageFailsTheJob() throws {
        try emulator.scenario(["mode": "truncated_image", "on": "create", "times": 1])
        let r = try plugin().submit(ProviderHarness.request(model: "default")).get()
        XCTAssertEqual(r["state"]?.string, "failed")
        XCTAssertTrue(r["error"]?["message"]?.string?.contains("truncated PNG") ?? false, "\(r)")
    }

    func testARunPastTheDeadlineIsInterruptedAtTheWebUI() throws {
        try emulator.scenario(["mode": "slow", "seconds": 20])
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + 1_500
        let r = try plugin().submit(ProviderHarness.request(model: "default", deadlineMs: deadline)).get()
        XCTAssertEqual(r["state"]?.string, "failed")
        XCTAssertEqual(r["error"]?["status"]?.number, Double(PluginStatus.timeout.rawValue))
        XCTAssertTrue(r["error"]?["message"]?.string?.contains("interrupted") ?? false, "\(r)")
        XCTAssertEqual(try emulator.events(named: "interrupt").count, 1, "the abandoned run was stopped at the WebUI")
    }

    func testDeadlineAlreadyPassedSendsNothing() throws {
        let clock = TestClock()
        let p = try plugin(clock: clock)
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "default", deadlineMs: clock.now - 1)), with: .timeout, ["nothing was sent"])
        XCTAssertEqual(try emulator.requests().count, 0)
    }

    func testAdultContentIsAllowedAndThereIsNoReconcile() throws {
        let p = try plugin()
        XCTAssertTrue(p.generation.manifest.nsfwAllowed)
        XCTAssertFalse(try p.instance.offersReconcile(), "the WebUI cannot give a finished run's images back")
        XCTAssertEqual(try p.submit(ProviderHarness.request(model: "default", prompt: "artistic nude, charcoal style",
                                                            allowNSFW: true)).get()["state"]?.string, "succeeded")
    }
}
