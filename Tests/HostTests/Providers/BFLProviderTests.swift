import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// The Black Forest Labs plugin through the C ABI against `Tests/Emulators/bfl_emulator.py`.
final class BFLProviderTests: ProviderTestCase {
    static let token = "test-token-bfl"

    override func setUpWithError() throws {
        try startEmulator("bfl", token: Self.token)
    }

    func plugin(_ config: [String: JSONValue] = [:], clock: TestClock = TestClock(),
                secrets: [String: String] = ["BFL_API_KEY": BFLProviderTests.token]) throws -> ProviderHarness {
        try harness("bfl", config: config, secrets: secrets, clock: clock)
    }

    func creates() throws -> [JSONValue] { try emulator.requests(kind: "create") }

    // MARK: generation and cost

    func testTaskIsPolledThroughItsPollingURLAndReportsBFLsCost() throws {
        let p = try plugin()
        let submitted = try p.submit(ProviderHarness.request(model: "flux-2-pro", negative: "blurry", width: 2048, height: 1024)).get()
        XCTAssertEqual(submitted["state"]?.string, "queued")
        let ref = try XCTUnwrap(submitted["ref"])
        XCTAssertTrue(ref["polling_url"]?.string?.contains("/v1/get_result?id=") ?? false, "the polling URL is persisted: \(ref)")
        let done = try p.pollUntilDone(submitted)
        XCTAssertEqual(done["state"]?.string, "succeeded")
        XCTAssertEqual(done["outputs"]?.array?.first?["mime"]?.string, "image/png")
        // 2048×1024 = 2.10 MP: 3 credits + 1.5 × 1.10 = 4.65 credits = $0.0465, as BFL reported it.
        XCTAssertEqual(try XCTUnwrap(done["cost_usd"]?.number), 0.0465, accuracy: 1e-12)
        XCTAssertEqual(done["seed"]?.number, 42)
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(done["ref"]), 0).get())

        let create = try XCTUnwrap(creates().first)
        XCTAssertEqual(create["path"]?.string, "/v1/flux-2-pro")
        XCTAssertEqual(create["auth_ok"]?.bool, true)
        let body = try XCTUnwrap(create["json"])
        XCTAssertEqual(body["width"]?.number, 2048)
        XCTAssertEqual(body["height"]?.number, 1024)
        XCTAssertEqual(body["safety_tolerance"]?.number, 2, "BFL's default unless configured")
        XCTAssertEqual(body["output_format"]?.string, "png")
        XCTAssertEqual(body["seed"]?.number, 42)
        XCTAssertNil(body["negative_prompt"])
        XCTAssertTrue(try emulator.requests(kind: "get").allSatisfy { $0["auth_ok"]?.bool == true })
        XCTAssertTrue(try emulator.requests(kind: "file").allSatisfy { $0["auth_ok"]?.bool == false }, "the key never goes to delivery")
    }

    func testSafetyToleranceComesFromConfigWithinEachModelsRange() throws {
        let p = try plugin(["safety_tolerance": 6])
        _ = try p.submit(ProviderHarness.request(model: "flux-kontext-pro", width: 1600, height: 900)).get()
        _ = try p.submit(ProviderHarness.request(model: "flux-2-max", width: 1000, height: 1000)).get()
        let bodies = try creates().compactMap { $0["json"] }
        XCTAssertEqual(bodies.count, 2, "both accepted by the emulator's validation")
        XCTAssertEqual(bodies[0]["safety_tolerance"]?.number, 6)
        XCTAssertEqual(bodies[0]["aspect_ratio"]?.string, "16:9", "Kontext takes an aspect ratio")
        XCTAssertNil(bodies[0]["width"])
        XCTAssertEqual(bodies[1]["safety_tolerance"]?.number, 5, "FLUX.2 stops at 5")
        XCTAssertEqual(bodies[1]["width"]?.number, 1008, "FLUX.2 sizes are multiples of 16")
        XCTAssertThrowsError(try plugin(["safety_tolerance": 7]))
    }

    func testRegionSelectsTheEndpointAndAForeignPollingURLGetsNoKey() throws {
        for (region, url) in [("eu", "https://api.eu.bfl.ai"), ("us", "https://api.us.bfl.ai"), ("global", "https://api.bfl.ai")] {
            let h = try ProviderHarness(plugin: "bfl", config: ["region": .string(region)], secrets: [:])
            XCTAssertTrue(h.lines.lines.contains { $0.contains("endpoint \(url)") }, "\(region): \(h.lines.lines)")
        }
        XCTAssertThrowsError(try plugin(["region": "asia"]))
        try emulator.scenario(["mode": "foreign_polling_url"])
        let p = try plugin()
        let submitted = try p.submit(ProviderHarness.request(model: "flux-2-pro")).get()
        XCTAssertEqual(try XCTUnwrap(submitted["ref"])["polling_url"]?.string?.hasPrefix(emulator.baseURL + "/v1/get_result"), true,
                       "a polling URL outside bfl.ai is replaced by get_result on the configured endpoint")
        XCTAssertEqual(try p.pollUntilDone(submitted)["state"]?.string, "succeeded")
    }

    // MARK: moderation

    func testInputModerationIsContentFilteredAndSaysSo() throws {
        try emulator.scenario(["mode": "request_moderated"])
        let p = try plugin()
        let r = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "flux-2-pro")).get())
        XCTAssertEqual(r["state"]?.string, "content_filtered")
        let message = r["error"]?["message"]?.string ?? ""
        XCTAssertTrue(message.contains("input moderation") && message.contains("Request Moderated"), message)
        XCTAssertTrue(message.contains("Input prompt flagged"), message)
    }

    func testOutputModerationIsContentFilteredAndSaysSo() throws {
        try emulator.scenario(["mode": "content_moderated"])
        let p = try plugin()
        let r = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "flux-pro-1.1")).get())
        XCTAssertEqual(r["state"]?.string, "content_filtered")
        let message = r["error"]?["message"]?.string ?? ""
        XCTAssertTrue(message.contains("output moderation") && message.contains("Content Moderated"), message)
    }

    func testTaskErrorFailsTheJob() throws {
        try emulator.scenario(["mode": "task_error"])
        let p = try plugin()
        let r = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "flux-2-pro")).get())
        XCTAssertEqual(r["state"]?.string, "failed")
        XCTAssertTrue(r["error"]?["message"]?.string?.contains("Generation failed") ?? false, "\(r)")
    }

    // MARK: expiry of result URLs

    func testExpiredResultURLIsNotFoundWithoutRetrying() throws {
        let p = try plugin()
        let ref = try XCTUnwrap(try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "flux-2-pro")).get())["ref"])
        try emulator.scenario(["mode": "expired_output", "on": "file", "times": 1])
        ProviderAssert.fails(p.fetch(ref, 0), with: .notFound, ["HTTP 403", "10 minutes", "generate the image again"])
        XCTAssertEqual(try emulator.requests(kind: "file").count, 1, "one request, no retry loop")
    }

    func testResultURLPastItsSignedExpiryFailsWithoutARequest() throws {
        let clock = TestClock()
        let p = try plugin(clock: clock)
        let ref = try XCTUnwrap(try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "flux-2-pro")).get())["ref"])
        clock.advance(milliseconds: 11 * 60 * 1000)
        ProviderAssert.fails(p.fetch(ref, 0), with: .notFound, ["expired at", "10 minutes"])
        XCTAssertEqual(try emulator.requests(kind: "file").count, 0)
    }

    func testTruncatedImageIsRefused() throws {
        let p = try plugin()
        let ref = try XCTUnwrap(try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "flux-2-pro")).get())["ref"])
        try emulator.scenario(["mode": "truncated_image", "on": "file", "times": 1])
        ProviderAssert.fails(p.fetch(ref, 0), with: .provider, ["truncated PNG"])
    }

    // MARK: keys, money, limits

    func testMissingKeyIsAuthAndSendsNothing() throws {
        let p = try plugin(secrets: [:])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "flux-2-pro")), with: .auth, ["BFL_API_KEY"])
        XCTAssertEqual(try emulator.requests().count, 0)
    }

    func testWrongKeyIsAuth() throws {
        let p = try plugin(secrets: ["BFL_API_KEY": "test-token-wrong"])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "flux-2-pro")), with: .auth, ["HTTP 401", "Invalid API key"])
    }

    func testOutOfCreditsIsQuota() throws {
        try emulator.scenario(["mode": "insufficient_credits", "on": "create"])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "flux-2-pro")), with: .quota, ["HTTP 402", "Insufficient credits"])
    }

    func testTooManyActiveTasksIsRateLimitedWithRetryAfterOrTheConfiguredBackoff() throws {
        let p = try plugin(["rate_limit_backoff_ms": 7000])
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1, "retry_after": 3])
        XCTAssertEqual(ProviderAssert.fails(p.submit(ProviderHarness.request(model: "flux-2-pro")), with: .rateLimited,
                                            ["active tasks"])?.retryAfterMilliseconds, 3000)
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1, "header": false])
        XCTAssertEqual(ProviderAssert.fails(p.submit(ProviderHarness.request(model: "flux-2-pro")), with: .rateLimited)?.retryAfterMilliseconds, 7000)
    }

    func testValidationErrorIsInvalidRequestAndSeveralOutputsAreRefusedBeforeSending() throws {
        let p = try plugin()
        try emulator.scenario(["mode": "invalid", "on": "create", "times": 1])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "flux-2-pro")), with: .invalidRequest, ["HTTP 422", "prompt: Field required"])
        let before = try emulator.requests().count
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "flux-2-pro", outputs: 2)), with: .invalidRequest, ["one image per task"])
        XCTAssertEqual(try emulator.requests().count, before)
    }

    func testBalanceIsReadFromCredits() throws {
        let p = try plugin()
        XCTAssertEqual(try XCTUnwrap(try p.instance.balance())["credits"]?.number, 1234.5)
    }

    // MARK: broken answers

    func testServerErrorIsRetryableAndGatewayDropOrMalformedAnswersAreNeverResent() throws {
        let p = try plugin()
        try emulator.scenario(["mode": "server_error", "on": "create", "times": 1])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "flux-2-pro")), with: .provider, ["HTTP 500"])
        for mode in ["bad_gateway", "drop", "malformed"] {
            try emulator.scenario(["mode": .string(mode), "on": "create", "times": 1])
            ProviderAssert.fails(p.submit(ProviderHarness.request(model: "flux-2-pro")), with: .timeout, [], file: #filePath, line: #line)
        }
        XCTAssertEqual(try creates().count, 4, "each create went out exactly once")
    }

    func testServerErrorWhilePollingIsRetryableAndAnUnknownTaskIsNotFound() throws {
        let p = try plugin()
        let submitted = try p.submit(ProviderHarness.request(model: "flux-2-pro")).get()
        try emulator.scenario(["mode": "server_error", "on": "get", "times": 1])
        ProviderAssert.fails(p.poll(try XCTUnwrap(submitted["ref"])), with: .provider, ["HTTP 500"])
        XCTAssertEqual(try p.pollUntilDone(submitted)["state"]?.string, "succeeded")
        let unknown: JSONValue = ["v": 1, "id": "nope", "model": "flux-2-pro",
                                  "polling_url": .string(emulator.baseURL + "/v1/get_result?id=nope")]
        ProviderAssert.fails(p.poll(unknown), with: .notFound, ["Task not found"])
    }
}
