import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// The OpenAI images plugin through the C ABI against `Tests/Emulators/openai_emulator.py`.
final class OpenAIImagesProviderTests: ProviderTestCase {
    static let token = "test-token-openai"

    override func setUpWithError() throws {
        try startEmulator("openai", token: Self.token)
    }

    override var defaultBasePath: String { "/v1" }

    func plugin(_ config: [String: JSONValue] = [:], clock: TestClock = TestClock(),
                secrets: [String: String] = ["OPENAI_API_KEY": OpenAIImagesProviderTests.token]) throws -> ProviderHarness {
        try harness("openai", config: config, secrets: secrets, clock: clock)
    }

    func creates() throws -> [JSONValue] { try emulator.requests(kind: "create") }

    func testSynchronousGenerationCarriesImagesAndTokenUsageInTheRef() throws {
        try emulator.scenario(["mode": "usage", "input_text": 14, "output_image": 1056])
        let p = try plugin()
        let r = try p.submit(ProviderHarness.request(model: "gpt-image-1", negative: "blurry", width: 1024, height: 1024, outputs: 2)).get()
        XCTAssertEqual(r["state"]?.string, "succeeded")
        XCTAssertEqual(r["outputs"]?.array?.count, 2)
        XCTAssertEqual(r["usage"]?["input_text_tokens"]?.number, 14)
        XCTAssertEqual(r["usage"]?["output_image_tokens"]?.number, 1056)
        XCTAssertTrue(r["cost_usd"]?.isNull ?? false, "OpenAI reports tokens, not money: the host's token rule prices them")
        let ref = try XCTUnwrap(r["ref"])
        let before = try emulator.requests().count
        XCTAssertEqual(try p.poll(ref).get()["usage"]?["output_image_tokens"]?.number, 1056, "usage survives in the ref")
        for i in 0..<2 { ProviderAssert.isWholePNG(try p.fetch(ref, i).get()) }
        XCTAssertEqual(try emulator.requests().count, before, "poll and fetch need no request")

        let create = try XCTUnwrap(creates().first)
        XCTAssertEqual(create["auth_ok"]?.bool, true)
        let body = try XCTUnwrap(create["json"])
        XCTAssertEqual(body["model"]?.string, "gpt-image-1")
        XCTAssertEqual(body["size"]?.string, "1024x1024")
        XCTAssertEqual(body["n"]?.number, 2)
        XCTAssertEqual(body["quality"]?.string, "medium")
        XCTAssertEqual(body["output_format"]?.string, "png")
        XCTAssertEqual(body["moderation"]?.string, "auto")
        XCTAssertNil(body["response_format"], "GPT image models answer base64 only")
        XCTAssertNil(body["negative_prompt"])
    }

    func testSizesFollowEachModelsRules() throws {
        let p = try plugin(["quality": "high"])
        _ = try p.submit(ProviderHarness.request(model: "gpt-image-1", width: 1920, height: 1080)).get()
        _ = try p.submit(ProviderHarness.request(model: "gpt-image-2", width: 1920, height: 1080)).get()
        _ = try p.submit(ProviderHarness.request(model: "gpt-image-2", width: 512, height: 512)).get()
        _ = try p.submit(ProviderHarness.request(model: "gpt-image-2", width: 4000, height: 1000)).get()
        let sizes = try creates().compactMap { $0["json"]?["size"]?.string }
        XCTAssertEqual(sizes[0], "1536x1024", "gpt-image-1: the nearest of its three sizes")
        XCTAssertEqual(sizes[1], "1920x1088", "gpt-image-2: edges rounded to multiples of 16")
        XCTAssertEqual(sizes[2], "816x816", "gpt-image-2: raised to at least 655,360 pixels")
        XCTAssertEqual(sizes[3].split(separator: "x").compactMap { Int($0) }.reduce(1, *) <= 8_294_400, true)
        XCTAssertEqual(try creates().count, 4, "every size accepted by the emulator's validation")
        XCTAssertTrue(try creates().allSatisfy { $0["json"]?["quality"]?.string == "high" })
    }

    func testModerationBlockedIsContentFiltered() throws {
        try emulator.scenario(["mode": "moderation_blocked", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "gpt-image-2")), with: .contentFiltered,
                             ["HTTP 400", "moderation_blocked", "safety system"])
    }

    func testMissingKeyIsAuthAndSendsNothing() throws {
        let p = try plugin(secrets: [:])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "gpt-image-2")), with: .auth, ["OPENAI_API_KEY"])
        XCTAssertEqual(try emulator.requests().count, 0)
    }

    func testWrongKeyIsAuthAndNoPieceOfTheKeyIsQuoted() throws {
        let p = try plugin(secrets: ["OPENAI_API_KEY": "test-token-wrong-9f3k"])
        let e = ProviderAssert.fails(p.submit(ProviderHarness.request(model: "gpt-image-2")), with: .auth, ["HTTP 401", "invalid_api_key"])
        XCTAssertFalse(e?.message.contains("9f3k") ?? true, "OpenAI echoes the key's last characters: \(e?.message ?? "")")
    }

    func testInsufficientQuotaIsQuotaNotThrottling() throws {
        try emulator.scenario(["mode": "insufficient_quota", "on": "create"])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "gpt-image-2")), with: .quota, ["HTTP 429", "insufficient_quota"])
    }

    func testRateLimitUsesRetryAfterOrTheResetHeader() throws {
        let p = try plugin()
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1, "retry_after": 3])
        XCTAssertEqual(ProviderAssert.fails(p.submit(ProviderHarness.request(model: "gpt-image-2")), with: .rateLimited)?.retryAfterMilliseconds, 3000)
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1, "reset": "1m30s"])
        XCTAssertEqual(ProviderAssert.fails(p.submit(ProviderHarness.request(model: "gpt-image-2")), with: .rateLimited)?.retryAfterMilliseconds, 90_000)
    }

    func testServerErrorIsRetryableAndUnclearAnswersAreNeverResent() throws {
        let p = try plugin()
        try emulator.scenario(["mode": "server_error", "on": "create", "times": 1])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "gpt-image-2")), with: .provider, ["HTTP 500"])
        for mode in ["bad_gateway", "drop", "malformed"] {
            try emulator.scenario(["mode": .string(mode), "on": "create", "times": 1])
            ProviderAssert.fails(p.submit(ProviderHarness.request(model: "gpt-image-2")), with: .timeout, ["not sent again"])
        }
        XCTAssertEqual(try creates().count, 4)
    }

    func testTruncatedImageFailsTheJob() throws {
        try emulator.scenario(["mode": "truncated_image"])
        let p = try plugin()
        let r = try p.submit(ProviderHarness.request(model: "gpt-image-2")).get()
        XCTAssertEqual(r["state"]?.string, "failed")
        XCTAssertTrue(r["error"]?["message"]?.string?.contains("truncated PNG") ?? false, "\(r)")
        XCTAssertNotNil(r["usage"], "the tokens were billed even so")
    }

    func testHangingGenerationEndsAtTheDeadlineAndAPassedDeadlineSendsNothing() throws {
        let clock = TestClock()
        let p = try plugin(clock: clock)
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "gpt-image-2", deadlineMs: clock.now - 1)), with: .timeout, ["nothing was sent"])
        XCTAssertEqual(try emulator.requests().count, 0)
        try emulator.scenario(["mode": "hang", "on": "create", "times": 1, "max_seconds": 20])
        let q = try plugin()
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + 1_200
        ProviderAssert.fails(q.submit(ProviderHarness.request(model: "gpt-image-2", deadlineMs: deadline)), with: .timeout)
    }
}
