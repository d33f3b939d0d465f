import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// The fal.ai plugin through the C ABI against `Tests/Emulators/fal_emulator.py`.
final class FalProviderTests: ProviderTestCase {
    static let token = "test-token-fal"
    static let dev = "fal-ai/flux-1/dev"

    override func setUpWithError() throws {
        try startEmulator("fal", token: Self.token)
    }

    func plugin(_ config: [String: JSONValue] = [:], secrets: [String: String] = ["FAL_KEY": FalProviderTests.token]) throws -> ProviderHarness {
        try harness("fal", config: config, secrets: secrets)
    }

    func creates() throws -> [JSONValue] { try emulator.requests(kind: "create") }

    // MARK: the queue

    func testQueuedRequestIsPolledThroughTheReturnedURLsAndItsImagesFetched() throws {
        let p = try plugin()
        let submitted = try p.submit(ProviderHarness.request(model: Self.dev, negative: "blurry", outputs: 2)).get()
        XCTAssertEqual(submitted["state"]?.string, "queued")
        let done = try p.pollUntilDone(submitted)
        XCTAssertEqual(done["state"]?.string, "succeeded")
        XCTAssertEqual(done["outputs"]?.array?.count, 2)
        XCTAssertEqual(done["seed"]?.number, 42)
        XCTAssertEqual(done["provider_time_s"]?.number, 1.25)
        XCTAssertTrue(done["cost_usd"]?.isNull ?? false, "fal reports no cost: the host's per-output rule prices it")
        let ref = try XCTUnwrap(done["ref"])
        for i in 0..<2 { ProviderAssert.isWholePNG(try p.fetch(ref, i).get()) }

        let create = try XCTUnwrap(creates().first)
        XCTAssertEqual(create["path"]?.string, "/fal-ai/flux-1/dev")
        XCTAssertEqual(create["auth_ok"]?.bool, true)
        let body = try XCTUnwrap(create["json"])
        XCTAssertEqual(body["prompt"]?.string, "a red bicycle on a beach")
        XCTAssertEqual(body["image_size"], ["width": 512, "height": 512])
        XCTAssertEqual(body["num_images"]?.number, 2)
        XCTAssertEqual(body["num_inference_steps"]?.number, 30)
        XCTAssertEqual(body["guidance_scale"]?.number, 7.5)
        XCTAssertEqual(body["seed"]?.number, 42)
        XCTAssertEqual(body["enable_safety_checker"]?.bool, true, "the checker is always on")
        XCTAssertNil(body["negative_prompt"], "FLUX has no negative prompt")
        // Status and result live under the app (fal-ai/flux-1), not the endpoint path.
        let reads = try emulator.requests().filter { ["status", "result"].contains($0["kind"]?.string) }
        XCTAssertFalse(reads.isEmpty)
        for r in reads {
            XCTAssertTrue(r["path"]?.string?.hasPrefix("/fal-ai/flux-1/requests/") ?? false, "\(r)")
            XCTAssertEqual(r["auth_ok"]?.bool, true)
        }
        XCTAssertEqual(try creates().count, 1)
    }

    func testSchnellGetsNoGuidanceAndStepsWithinItsRange() throws {
        let p = try plugin()
        let r = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "fal-ai/flux-1/schnell", steps: 40)).get())
        XCTAssertEqual(r["state"]?.string, "succeeded")
        let body = try XCTUnwrap(creates().first?["json"])
        XCTAssertNil(body["guidance_scale"])
        XCTAssertEqual(body["num_inference_steps"]?.number, 12)
    }

    func testDataURLOutputsNeedNoDownload() throws {
        try emulator.scenario(["mode": "data_url"])
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.dev)).get())
        let before = try emulator.requests().count
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(done["ref"]), 0).get())
        XCTAssertEqual(try emulator.requests().count, before)
    }

    // MARK: content

    func testFlaggedImagesAreDroppedAndAllFlaggedIsContentFiltered() throws {
        try emulator.scenario(["mode": "nsfw_partial"])
        let p = try plugin()
        let partly = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.dev, outputs: 3)).get())
        XCTAssertEqual(partly["state"]?.string, "succeeded")
        XCTAssertEqual(partly["outputs"]?.array?.count, 2, "the black image fal put in place of the flagged one is not kept")
        try emulator.reset()
        try emulator.scenario(["mode": "nsfw"])
        let all = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.dev, outputs: 2)).get())
        XCTAssertEqual(all["state"]?.string, "content_filtered")
        XCTAssertEqual(all["error"]?["status"]?.number, Double(PluginStatus.contentFiltered.rawValue))
        XCTAssertTrue(all["error"]?["message"]?.string?.contains("has_nsfw_concepts") ?? false, "\(all)")
    }

    func testContentPolicyViolationInTheResultIsContentFilteredWithItsCategories() throws {
        try emulator.scenario(["mode": "model_content_policy"])
        let p = try plugin()
        let r = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.dev)).get())
        XCTAssertEqual(r["state"]?.string, "content_filtered")
        let message = r["error"]?["message"]?.string ?? ""
        XCTAssertTrue(message.contains("prompt") && message.contains("sexual"), message)
    }

    func testContentPolicyViolationAtSubmitIsContentFiltered() throws {
        try emulator.scenario(["mode": "content_policy", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.dev)), with: .contentFiltered, ["HTTP 422", "content_policy_violation"])
    }

    // MARK: keys, money, limits

    func testMissingKeyIsAuthAndSendsNothing() throws {
        let p = try plugin(secrets: [:])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.dev)), with: .auth, ["FAL_KEY"])
        XCTAssertEqual(try emulator.requests().count, 0)
    }

    func testWrongKeyIsAuth() throws {
        let p = try plugin(secrets: ["FAL_KEY": "test-token-wrong"])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.dev)), with: .auth, ["HTTP 401", "FAL_KEY"])
    }

    func testExhaustedBalanceIsQuotaNotAuth() throws {
        try emulator.scenario(["mode": "locked", "on": "create"])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.dev)), with: .quota, ["HTTP 403", "Exhausted balance", "top it up"])
    }

    func testRateLimitCarriesRetryAfter() throws {
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1, "retry_after": 4])
        let p = try plugin()
        let e = ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.dev)), with: .rateLimited, ["HTTP 429"])
        XCTAssertEqual(e?.retryAfterMilliseconds, 4000)
    }

    func testInvalidInputIsInvalidRequest() throws {
        try emulator.scenario(["mode": "invalid", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.dev)), with: .invalidRequest, ["HTTP 422", "prompt: Field required"])
    }

    func testUnknownModelIsUnsupportedSoTheHostFailsOver() throws {
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "fal-ai/no-such-model")), with: .unsupported, ["HTTP 404"])
    }

    // MARK: failures

    func testServerErrorOnSubmitIsRetryableAndAGatewayErrorIsNot() throws {
        try emulator.scenario(["mode": "server_error", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.dev)), with: .provider, ["HTTP 500"])
        try emulator.scenario(["mode": "bad_gateway", "on": "create", "times": 1])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.dev)), with: .timeout, ["not sent again"])
    }

    func testDroppedOrMalformedSubmitAnswerIsTimeoutAndNotResent() throws {
        let p = try plugin()
        try emulator.scenario(["mode": "drop", "on": "create", "times": 1])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.dev)), with: .timeout, ["not sent again"])
        try emulator.scenario(["mode": "malformed", "on": "create", "times": 1])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.dev)), with: .timeout, ["not valid JSON"])
        XCTAssertEqual(try creates().count, 2, "each create went out exactly once")
    }

    func testServerErrorWhilePollingIsRetryable() throws {
        let p = try plugin()
        let submitted = try p.submit(ProviderHarness.request(model: Self.dev)).get()
        try emulator.scenario(["mode": "server_error", "on": "status", "times": 1])
        ProviderAssert.fails(p.poll(try XCTUnwrap(submitted["ref"])), with: .provider, ["HTTP 500"])
        XCTAssertEqual(try p.pollUntilDone(submitted)["state"]?.string, "succeeded")
    }

    func testRequestThatFailedAfterFalsRetriesFailsTheJob() throws {
        try emulator.scenario(["mode": "request_error"])
        let p = try plugin()
        let r = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.dev)).get())
        XCTAssertEqual(r["state"]?.string, "failed")
        XCTAssertEqual(r["error"]?["status"]?.number, Double(PluginStatus.provider.rawValue))
        XCTAssertTrue(r["error"]?["message"]?.string?.contains("request_timeout") ?? false, "\(r)")
    }

    func testUnknownRequestIsNotFound() throws {
        let p = try plugin()
        let ref: JSONValue = ["v": 1, "id": "nope", "model": .string(Self.dev),
                              "status": .string(emulator.baseURL + "/fal-ai/flux-1/requests/nope/status"),
                              "response": .string(emulator.baseURL + "/fal-ai/flux-1/requests/nope"),
                              "cancel": .string(emulator.baseURL + "/fal-ai/flux-1/requests/nope/cancel")]
        ProviderAssert.fails(p.poll(ref), with: .notFound, ["HTTP 404"])
    }

    func testExpiredOutputIsNotFoundAndATruncatedOneIsRefused() throws {
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.dev)).get())
        let ref = try XCTUnwrap(done["ref"])
        try emulator.scenario(["mode": "expired_output", "on": "file", "times": 1])
        ProviderAssert.fails(p.fetch(ref, 0), with: .notFound, ["expired"])
        try emulator.scenario(["mode": "truncated_image", "on": "file", "times": 1])
        ProviderAssert.fails(p.fetch(ref, 0), with: .provider, ["truncated PNG"])
        XCTAssertTrue(try emulator.requests(kind: "file").allSatisfy { $0["auth_ok"]?.bool == false }, "the key never goes to the CDN")
    }

    func testCancelIsAcceptedWhileQueuedAndHarmlessAfterCompletion() throws {
        let p = try plugin()
        let queued = try p.submit(ProviderHarness.request(model: Self.dev)).get()
        try p.cancel(try XCTUnwrap(queued["ref"])).get()
        XCTAssertEqual(try emulator.events(named: "cancel").count, 1)
        XCTAssertEqual(try emulator.requests(kind: "cancel").first?["method"]?.string, "PUT")
        let finished = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.dev)).get())
        try p.cancel(try XCTUnwrap(finished["ref"])).get()
    }
}
