import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// The Midjourney plugin through the C ABI against `Tests/Emulators/midjourney_emulator.py`,
/// in both dialects: the midjourney-proxy task protocol and useapi.net v3.
final class MidjourneyProviderTests: ProviderTestCase {
    static let token = "test-token-midjourney"

    override func setUpWithError() throws {
        try startEmulator("midjourney", token: Self.token)
    }

    func proxy(_ config: [String: JSONValue] = [:], clock: TestClock = TestClock(),
               secrets: [String: String] = ["MIDJOURNEY_API_KEY": MidjourneyProviderTests.token]) throws -> ProviderHarness {
        try harness("midjourney", config: config, secrets: secrets, clock: clock)
    }

    func useapi(_ config: [String: JSONValue] = [:], clock: TestClock = TestClock()) throws -> ProviderHarness {
        var c = config
        c["dialect"] = "useapi-v3"
        return try harness("midjourney", config: c, secrets: ["MIDJOURNEY_API_KEY": Self.token], clock: clock)
    }

    func creates() throws -> [JSONValue] { try emulator.requests(kind: "create") }

    // MARK: midjourney-proxy

    func testProxyGeneratesFourSingleImagesWithPromptFlags() throws {
        let p = try proxy()
        let request = ProviderHarness.request(model: "6.0", prompt: "a lighthouse\nat dusk", negative: "text, --watermark",
                                              width: 1344, height: 768, outputs: 4)
        let submitted = try p.submit(request).get()
        XCTAssertEqual(submitted["state"]?.string, "queued")
        XCTAssertEqual(submitted["next_poll_ms"]?.number, 5000)
        let done = try p.pollUntilDone(submitted)
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        XCTAssertEqual(done["outputs"]?.array?.count, 4, "the four single images, not the grid")
        let ref = try XCTUnwrap(done["ref"])
        for i in 0..<4 { ProviderAssert.isWholePNG(try p.fetch(ref, i).get()) }
        XCTAssertEqual(try emulator.requests(kind: "file").map { $0["path"]?.string?.hasSuffix("grid.png") }, [false, false, false, false])

        let create = try XCTUnwrap(creates().first)
        XCTAssertEqual(create["path"]?.string, "/mj/submit/imagine")
        XCTAssertEqual(create["auth_ok"]?.bool, true, "the key went in mj-api-secret")
        XCTAssertEqual(create["json"]?["prompt"]?.string, "a lighthouse at dusk --v 6.0 --ar 7:4 --no text, watermark --seed 42")
        XCTAssertEqual(create["json"]?["state"]?.string, request["job_id"]?.string, "the host's job id travels as the proxy's state")
        // CDN downloads never carry the key.
        XCTAssertEqual(try emulator.requests(kind: "file").compactMap { $0["auth_ok"]?.bool }, [false, false, false, false])
    }

    func testOneOutputAskedGivesOneOfTheSingles() throws {
        let p = try proxy()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "5.2")).get())
        XCTAssertEqual(done["outputs"]?.array?.count, 1)
        XCTAssertTrue(try creates().first?["json"]?["prompt"]?.string?.contains("--v 5.2 --ar 1:1") ?? false)
    }

    func testGridOnlyProxyGivesTheGridAsTheOneOutput() throws {
        try emulator.scenario(["mode": "grid_only"])
        let p = try proxy()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "6.0", outputs: 4)).get())
        XCTAssertEqual(done["outputs"]?.array?.count, 1)
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(done["ref"]), 0).get())
        XCTAssertEqual(try emulator.requests(kind: "file").first?["path"]?.string?.hasSuffix("grid.png"), true)
    }

    func testFlagsAlreadyInThePromptWin() throws {
        let p = try proxy()
        _ = try p.submit(ProviderHarness.request(model: "6.0", prompt: "poster --ar 2:3 --v 6.1", width: 1024, height: 1024)).get()
        XCTAssertEqual(try creates().first?["json"]?["prompt"]?.string, "poster --ar 2:3 --v 6.1 --seed 42")
    }

    func testMalformedFlagFailsAsInvalidRequest() throws {
        let p = try proxy()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "6.0", prompt: "cat --ar16:9")).get())
        XCTAssertEqual(done["state"]?.string, "failed")
        XCTAssertEqual(done["error"]?["status"]?.number, Double(PluginStatus.invalidRequest.rawValue))
        XCTAssertTrue(done["error"]?["message"]?.string?.contains("Invalid parameter") ?? false)
    }

    func testBannedWordIsContentFilteredAtSubmit() throws {
        let p = try proxy()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "6.0", prompt: "a bannedword scene")), with: .contentFiltered,
                             ["banned word \"bannedword\"", "code 24"])
    }

    func testModeratedAndAppealOutcomesAreContentFiltered() throws {
        let p = try proxy()
        for mode in ["moderated", "appeal"] {
            try emulator.reset()
            try emulator.scenario(["mode": .string(mode)])
            let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "6.0")).get())
            XCTAssertEqual(done["state"]?.string, "content_filtered", mode)
            XCTAssertEqual(done["error"]?["status"]?.number, Double(PluginStatus.contentFiltered.rawValue), mode)
        }
    }

    func testMidjourneyFailureIsAProviderError() throws {
        try emulator.scenario(["mode": "failure"])
        let p = try proxy()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "6.0")).get())
        XCTAssertEqual(done["error"]?["status"]?.number, Double(PluginStatus.provider.rawValue))
        XCTAssertTrue(done["error"]?["message"]?.string?.contains("Could not complete the job") ?? false)
    }

    func testQueueFullIsRateLimited() throws {
        try emulator.scenario(["mode": "queue_full", "on": "create", "times": 1])
        let p = try proxy()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "6.0")), with: .rateLimited, ["queue is full", "code 23"])
    }

    func testQueuedSubmitIsAccepted() throws {
        try emulator.scenario(["mode": "queued", "on": "create", "times": 1])
        let p = try proxy()
        let submitted = try p.submit(ProviderHarness.request(model: "6.0")).get()
        XCTAssertEqual(submitted["state"]?.string, "queued")
        XCTAssertEqual(try p.pollUntilDone(submitted)["state"]?.string, "succeeded")
    }

    func testProxyTaskPastDeadlineIsCancelledAndEndsAsTimeout() throws {
        try emulator.scenario(["mode": "never_finishes"])
        let clock = TestClock()
        let p = try proxy(clock: clock)
        let ref = try XCTUnwrap(try p.submit(ProviderHarness.request(model: "6.0", deadlineMs: clock.now + 300_000)).get()["ref"])
        for _ in 0..<4 { XCTAssertTrue(["queued", "running"].contains(try p.poll(ref).get()["state"]?.string ?? "")) }
        clock.advance(milliseconds: 300_001)
        let expired = try p.poll(ref).get()
        XCTAssertEqual(expired["state"]?.string, "failed")
        XCTAssertEqual(expired["error"]?["status"]?.number, Double(PluginStatus.timeout.rawValue))
        XCTAssertEqual(try emulator.events(named: "cancel").count, 1)
        // The fork marks a cancelled task FAILURE "取消任务": still a timeout, not a failure.
        XCTAssertEqual(try p.poll(ref).get()["error"]?["status"]?.number, Double(PluginStatus.timeout.rawValue))
    }

    func testExplicitCancelReachesTheProxy() throws {
        try emulator.scenario(["mode": "never_finishes"])
        let p = try proxy()
        let ref = try XCTUnwrap(try p.submit(ProviderHarness.request(model: "6.0")).get()["ref"])
        XCTAssertNoThrow(try p.cancel(ref).get())
        XCTAssertEqual(try emulator.events(named: "cancel").first?["id"]?.string, ref["id"]?.string)
        XCTAssertEqual(try p.poll(ref).get()["state"]?.string, "cancelled")
    }

    func testUnknownTaskIsNotFound() throws {
        let p = try proxy()
        ProviderAssert.fails(p.poll(["v": 1, "dialect": "midjourney-proxy", "id": "999", "wanted": 1]), with: .notFound, ["does not know task"])
    }

    func testAggregatorWithBearerAuth() throws {
        try startEmulator("midjourney", token: Self.token, arguments: ["--proxy-auth-header", "Authorization", "--proxy-auth-scheme", "Bearer"])
        let p = try proxy(["auth_header": "Authorization"])
        XCTAssertEqual(try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "6.0")).get())["state"]?.string, "succeeded")
        let q = try proxy()
        ProviderAssert.fails(q.submit(ProviderHarness.request(model: "6.0")), with: .auth, ["HTTP 401", "MIDJOURNEY_API_KEY"])
    }

    // MARK: useapi.net v3

    func testUseAPIGeneratesWithImageUx() throws {
        let p = try useapi()
        let submitted = try p.submit(ProviderHarness.request(model: "6.0", outputs: 4)).get()
        XCTAssertEqual(submitted["next_poll_ms"]?.number, 15000)
        let done = try p.pollUntilDone(submitted)
        XCTAssertEqual(done["state"]?.string, "succeeded")
        XCTAssertEqual(done["outputs"]?.array?.count, 4)
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(done["ref"]), 3).get())
        let create = try XCTUnwrap(creates().first)
        XCTAssertEqual(create["path"]?.string, "/v3/midjourney/jobs/imagine")
        XCTAssertEqual(create["auth_ok"]?.bool, true)
        XCTAssertEqual(create["json"]?["stream"]?.bool, false, "JSON, not the SSE stream")
    }

    func testUseAPIModeratedJobIsContentFiltered() throws {
        try emulator.scenario(["mode": "moderated"])
        let p = try useapi()
        XCTAssertEqual(try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "6.0")).get())["state"]?.string, "content_filtered")
        try emulator.scenario(["mode": "moderated_submit", "on": "create", "times": 1])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "6.0")), with: .contentFiltered, ["HTTP 422", "Moderated"])
    }

    func testUseAPIDeadlineDeletesTheJob() throws {
        try emulator.scenario(["mode": "never_finishes"])
        let clock = TestClock()
        let p = try useapi(clock: clock)
        let ref = try XCTUnwrap(try p.submit(ProviderHarness.request(model: "6.0", deadlineMs: clock.now + 60_000)).get()["ref"])
        _ = try p.poll(ref).get()
        clock.advance(milliseconds: 60_000)
        XCTAssertEqual(try p.poll(ref).get()["error"]?["status"]?.number, Double(PluginStatus.timeout.rawValue))
        let cancels = try emulator.requests(kind: "cancel")
        XCTAssertEqual(cancels.map { $0["method"]?.string }, ["DELETE"])
        XCTAssertEqual(try emulator.events(named: "cancel").count, 1)
    }

    func testRefFromTheOtherDialectIsRefused() throws {
        let p = try useapi()
        ProviderAssert.fails(p.poll(["v": 1, "dialect": "midjourney-proxy", "id": "1", "wanted": 1]), with: .invalidRequest, ["dialect"])
    }

    // MARK: keys and refusals

    func testMissingKeyIsAnAuthErrorNamingTheVariable() throws {
        let p = try proxy(secrets: [:])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "6.0")), with: .auth, ["MIDJOURNEY_API_KEY", "not set"])
        XCTAssertEqual(try emulator.requests().count, 0)
    }

    func testWrongKeyIsAuth() throws {
        let p = try proxy(secrets: ["MIDJOURNEY_API_KEY": "test-token-wrong"])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "6.0")), with: .auth, ["HTTP 401"])
    }

    func testProxyWithoutBaseURLIsRefusedAtCreate() throws {
        XCTAssertThrowsError(try ProviderHarness(plugin: "midjourney", config: [:], secrets: [:])) { error in
            XCTAssertTrue("\(error)".contains("providers.midjourney.base_url is required"), "\(error)")
        }
    }

    func testInsufficientBalanceIsQuota() throws {
        try emulator.scenario(["mode": "insufficient_balance", "on": "create"])
        ProviderAssert.fails(try useapi().submit(ProviderHarness.request(model: "6.0")), with: .quota, ["HTTP 402"])
    }

    func testRateLimitCarriesRetryAfter() throws {
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1, "retry_after": 12])
        let e = ProviderAssert.fails(try useapi().submit(ProviderHarness.request(model: "6.0")), with: .rateLimited, ["retry after 12 s"])
        XCTAssertEqual(e?.retryAfterMilliseconds, 12_000)
    }

    func testServerErrorThenSuccess() throws {
        try emulator.scenario(["mode": "server_error", "on": "create", "times": 1])
        let p = try proxy()
        let request = ProviderHarness.request(model: "6.0")
        ProviderAssert.fails(p.submit(request), with: .provider, ["HTTP 500"])
        XCTAssertEqual(try p.pollUntilDone(try p.submit(request).get())["state"]?.string, "succeeded")
        XCTAssertEqual(try creates().count, 2)
    }

    // MARK: broken answers

    func testDroppedConnectionOnSubmitIsTimeoutAndNotResent() throws {
        try emulator.scenario(["mode": "drop", "on": "create", "times": 1])
        let p = try proxy()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "6.0")), with: .timeout, ["not sent again"])
        XCTAssertEqual(try creates().count, 1)
    }

    func testMalformedJSONOnSubmitIsTimeoutAndOnPollIsProvider() throws {
        try emulator.scenario(["mode": "malformed", "on": "create", "times": 1])
        let p = try useapi()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "6.0")), with: .timeout, ["not valid JSON"])
        let ref = try XCTUnwrap(try p.submit(ProviderHarness.request(model: "6.0")).get()["ref"])
        try emulator.scenario(["mode": "malformed", "on": "get", "times": 1])
        ProviderAssert.fails(p.poll(ref), with: .provider, ["not valid JSON"])
    }

    func testTruncatedImageIsARetryableFetchFailure() throws {
        try emulator.scenario(["mode": "truncated_image", "on": "file", "times": 1])
        let p = try proxy()
        let ref = try XCTUnwrap(try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "6.0")).get())["ref"])
        ProviderAssert.fails(p.fetch(ref, 0), with: .provider, ["truncated"])
        ProviderAssert.isWholePNG(try p.fetch(ref, 0).get())
    }

    func testExpiredCDNLinkIsNotFound() throws {
        try emulator.scenario(["mode": "expired_output", "on": "file"])
        let p = try useapi()
        let ref = try XCTUnwrap(try p.pollUntilDone(try p.submit(ProviderHarness.request(model: "6.0")).get())["ref"])
        ProviderAssert.fails(p.fetch(ref, 0), with: .notFound, ["expire"])
    }
}
