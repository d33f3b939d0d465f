import Foundation
import ImagegenJSON
import Synchronization
import XCTest
@testable import Host
@testable import PluginHost

/// The Replicate plugin through the C ABI against `Tests/Emulators/replicate_emulator.py`.
final class ReplicateProviderTests: ProviderTestCase {
    static let token = "test-token-replicate"
    static let sd = "stability-ai/stable-diffusion:db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf"
    static let rv = "lucataco/realistic-vision-v5:a4a8bafd6089e1716b06057c42b19378250d008b80fe87caac5f36b5b8c8c3e5"
    static let flux = "black-forest-labs/flux-schnell"

    override var defaultBasePath: String { "/v1" }

    override func setUpWithError() throws {
        try startEmulator("replicate", token: Self.token)
    }

    func plugin(_ config: [String: JSONValue] = [:], clock: TestClock = TestClock(),
                secrets: [String: String] = ["REPLICATE_API_TOKEN": ReplicateProviderTests.token]) throws -> ProviderHarness {
        try harness("replicate", config: config, secrets: secrets, clock: clock)
    }

    func creates() throws -> [JSONValue] { try emulator.requests(kind: "create") }

    // MARK: success

    func testVersionedModelGeneratesAndFetchesPNGs() throws {
        let p = try plugin()
        let submitted = try p.submit(ProviderHarness.request(model: Self.sd, negative: "blurry", outputs: 2)).get()
        XCTAssertEqual(submitted["state"]?.string, "queued")
        let done = try p.pollUntilDone(submitted)
        XCTAssertEqual(done["state"]?.string, "succeeded")
        XCTAssertEqual(done["outputs"]?.array?.count, 2)
        XCTAssertEqual(done["provider_time_s"]?.number, 2.5, "metrics.predict_time is the billable time")
        XCTAssertEqual(done["seed"]?.number, 42)
        let ref = try XCTUnwrap(done["ref"])
        for i in 0..<2 { ProviderAssert.isWholePNG(try p.fetch(ref, i).get()) }

        // The version's own schema was read, so SD 2.1 got image_dimensions, not width/height.
        let create = try XCTUnwrap(creates().first)
        XCTAssertEqual(create["path"]?.string, "/v1/predictions")
        XCTAssertEqual(create["auth_ok"]?.bool, true)
        let input = try XCTUnwrap(create["json"]?["input"])
        XCTAssertEqual(create["json"]?["version"]?.string, String(Self.sd.split(separator: ":")[1]))
        XCTAssertEqual(input["image_dimensions"]?.string, "512x512")
        XCTAssertNil(input["width"])
        XCTAssertEqual(input["negative_prompt"]?.string, "blurry")
        XCTAssertEqual(input["num_inference_steps"]?.number, 30)
        XCTAssertEqual(input["guidance_scale"]?.number, 7.5)
        XCTAssertEqual(input["seed"]?.number, 42)
        XCTAssertEqual(input["num_outputs"]?.number, 2)
        XCTAssertNil(input["disable_safety_checker"], "SD 2.1 has no such switch")
        // Output downloads carried the token (the API asks for it on its own hosts).
        XCTAssertEqual(try emulator.requests(kind: "file").map { $0["auth_ok"]?.bool }, [true, true])
    }

    func testSingleOutputModelUsesItsOwnInputNames() throws {
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.rv, width: 510, height: 730)).get())
        XCTAssertEqual(done["outputs"]?.array?.count, 1, "Realistic Vision returns one URL string")
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(done["ref"]), 0).get())
        let input = try XCTUnwrap(creates().first?["json"]?["input"])
        XCTAssertEqual(input["width"]?.number, 504, "floored to a multiple of 8")
        XCTAssertEqual(input["height"]?.number, 728)
        XCTAssertEqual(input["steps"]?.number, 30)
        XCTAssertEqual(input["guidance"]?.number, 7.5)
        XCTAssertNil(input["num_outputs"])
    }

    func testOfficialModelUsesModelsEndpointAspectRatioAndClampsSteps() throws {
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.flux, negative: "text", width: 1344, height: 768)).get())
        XCTAssertEqual(done["state"]?.string, "succeeded")
        let create = try XCTUnwrap(creates().first)
        XCTAssertEqual(create["path"]?.string, "/v1/models/black-forest-labs/flux-schnell/predictions")
        XCTAssertNil(create["json"]?["version"])
        let input = try XCTUnwrap(create["json"]?["input"])
        XCTAssertEqual(input["aspect_ratio"]?.string, "16:9")
        XCTAssertEqual(input["num_inference_steps"]?.number, 4, "schnell takes 1…4 steps")
        XCTAssertEqual(input["output_format"]?.string, "png")
        XCTAssertNil(input["negative_prompt"], "flux has no negative prompt")
        XCTAssertTrue(p.lines.lines.contains { $0.contains("no input for negative_prompt") }, "the dropped field is logged")
    }

    func testSafetyCheckerIsDisabledOnlyWhenTheOperatorAllowsIt() throws {
        let p = try plugin()
        _ = try p.submit(ProviderHarness.request(model: Self.flux, allowNSFW: false)).get()
        _ = try p.submit(ProviderHarness.request(model: Self.flux, allowNSFW: true)).get()
        let inputs = try creates().map { $0["json"]?["input"] }
        XCTAssertNil(inputs[0]?["disable_safety_checker"])
        XCTAssertEqual(inputs[1]?["disable_safety_checker"]?.bool, true)
    }

    func testPreferWaitReturnsTheFinishedPredictionFromSubmit() throws {
        let p = try plugin(["prefer_wait": 10])
        let submitted = try p.submit(ProviderHarness.request(model: Self.sd)).get()
        XCTAssertEqual(submitted["state"]?.string, "succeeded")
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(submitted["ref"]), 0).get())
        XCTAssertEqual(try creates().first?["headers"]?["prefer"]?.string, "wait=10")
        XCTAssertEqual(try emulator.requests(kind: "get").count, 0, "nothing to poll")
    }

    func testPreferWaitThatExpiresFallsBackToPolling() throws {
        try emulator.scenario(["mode": "wait_expires"])
        let p = try plugin(["prefer_wait": 1])
        let submitted = try p.submit(ProviderHarness.request(model: Self.sd)).get()
        XCTAssertEqual(submitted["state"]?.string, "queued")
        XCTAssertEqual(try p.pollUntilDone(submitted)["state"]?.string, "succeeded")
        XCTAssertGreaterThan(try emulator.requests(kind: "get").count, 0)
    }

    func testDataURLOutputsAreDecodedWithoutADownload() throws {
        try emulator.scenario(["mode": "data_url"])
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.sd)).get())
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(done["ref"]), 0).get())
        XCTAssertEqual(try emulator.requests(kind: "file").count, 0)
    }

    func testDeadlineIsSentAsCancelAfter() throws {
        let clock = TestClock()
        let p = try plugin(clock: clock)
        _ = try p.submit(ProviderHarness.request(model: Self.sd, deadlineMs: clock.now + 90_000)).get()
        XCTAssertEqual(try creates().first?["headers"]?["cancel-after"]?.string, "90s")
    }

    // MARK: keys

    func testMissingKeyIsAnAuthErrorNamingTheVariableAndSendsNothing() throws {
        let p = try plugin(secrets: [:])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sd)), with: .auth, ["REPLICATE_API_TOKEN", "not set"])
        XCTAssertEqual(try emulator.requests().count, 0)
    }

    func testConfiguredSecretNameIsUsed() throws {
        let p = try plugin(["secret_name": "TEAM_REPLICATE_TOKEN"], secrets: ["TEAM_REPLICATE_TOKEN": Self.token])
        XCTAssertNoThrow(try p.submit(ProviderHarness.request(model: Self.sd)).get())
        let q = try plugin(["secret_name": "TEAM_REPLICATE_TOKEN"])
        ProviderAssert.fails(q.submit(ProviderHarness.request(model: Self.sd)), with: .auth, ["TEAM_REPLICATE_TOKEN"])
    }

    func testWrongKeyIsAuth() throws {
        let p = try plugin(secrets: ["REPLICATE_API_TOKEN": "test-token-wrong"])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sd)), with: .auth,
                             ["HTTP 401", "Unauthenticated", "REPLICATE_API_TOKEN"])
    }

    // MARK: refusals

    func testBillingRequiredIsQuota() throws {
        try emulator.scenario(["mode": "insufficient_balance", "on": "create"])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sd)), with: .quota, ["HTTP 402", "Billing required", "credit"])
    }

    func testInputValidationErrorIsInvalidRequestWithReplicatesReason() throws {
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sd, outputs: 5)), with: .invalidRequest,
                             ["HTTP 422", "num_outputs", "less than or equal to 4"])
    }

    func testUnknownVersionIsInvalidRequest() throws {
        let p = try plugin(["discover_inputs": false])
        let unknown = "stability-ai/stable-diffusion:" + String(repeating: "ab", count: 32)
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: unknown)), with: .invalidRequest, ["Invalid version"])
    }

    func testRateLimitCarriesRetryAfterFromHeaderOrBody() throws {
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1, "retry_after": 7])
        let p = try plugin()
        let e = ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sd)), with: .rateLimited, ["retry after 7 s"])
        XCTAssertEqual(e?.retryAfterMilliseconds, 7000)
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1, "retry_after": 3, "header": false])
        XCTAssertEqual(ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sd)), with: .rateLimited)?.retryAfterMilliseconds, 3000,
                       "the body's retry_after when the header is missing")
    }

    func testRetryAfterAsAnHTTPDateIsMeasuredOnTheHostClock() throws {
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1, "retry_after": 30, "http_date": true])
        let p = try plugin()
        let ms = try XCTUnwrap(ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sd)), with: .rateLimited)?.retryAfterMilliseconds)
        // The date has one-second resolution: 30 s from the emulator's now, read a moment later.
        // The test clock stands still from the harness's creation, so a loaded machine adds the
        // time between that and the request (seen: 30 016 ms); a wrong clock would be far off.
        XCTAssertTrue((27_000...32_000).contains(ms), "\(ms) ms")
    }

    func testConcurrentSubmitsOnOneInstanceAreIndependent() throws {
        // describe says thread_safe: the host may call one instance from several threads.
        let p = try plugin()
        let results = Mutex<[Result<JSONValue, PluginCallError>]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let r = p.submit(ProviderHarness.request(model: Self.sd, seed: i))
            results.withLock { $0.append(r) }
        }
        let refs = try results.withLock { $0 }.map { try $0.get()["ref"]?["id"]?.string }
        XCTAssertEqual(Set(refs.compactMap { $0 }).count, 8)
        XCTAssertEqual(try creates().count, 8)
        XCTAssertGreaterThanOrEqual(try emulator.requests(kind: "schema").count, 1)
    }

    func testServerErrorOnCreateIsRetryableAndTheRetrySucceeds() throws {
        try emulator.scenario(["mode": "server_error", "on": "create", "times": 1])
        let p = try plugin()
        let request = ProviderHarness.request(model: Self.sd)
        ProviderAssert.fails(p.submit(request), with: .provider, ["HTTP 500"])
        // PROVIDER promises the job was not taken: the host may send it again.
        let done = try p.pollUntilDone(try p.submit(request).get())
        XCTAssertEqual(done["state"]?.string, "succeeded")
        XCTAssertEqual(try creates().count, 2)
    }

    func testGatewayErrorOnCreateIsAnUnknownOutcome() throws {
        try emulator.scenario(["mode": "bad_gateway", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sd)), with: .timeout, ["HTTP 502", "not sent again"])
    }

    func testServerErrorWhilePollingIsRetryable() throws {
        let p = try plugin()
        let submitted = try p.submit(ProviderHarness.request(model: Self.sd)).get()
        try emulator.scenario(["mode": "server_error", "on": "get", "times": 1])
        ProviderAssert.fails(p.poll(try XCTUnwrap(submitted["ref"])), with: .provider, ["HTTP 500"])
        XCTAssertEqual(try p.pollUntilDone(submitted)["state"]?.string, "succeeded")
    }

    // MARK: broken answers

    func testConnectionDroppedOnCreateIsTimeoutAndIsNotResent() throws {
        try emulator.scenario(["mode": "drop", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sd)), with: .timeout, ["not sent again"])
        XCTAssertEqual(try creates().count, 1, "the plugin never repeats a create that may have arrived")
    }

    func testMalformedJSONAfterCreateIsTimeoutButWhilePollingIsProvider() throws {
        try emulator.scenario(["mode": "malformed", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sd)), with: .timeout, ["not valid JSON"])
        XCTAssertEqual(try creates().count, 1)

        let submitted = try p.submit(ProviderHarness.request(model: Self.sd)).get()
        try emulator.scenario(["mode": "malformed", "on": "get", "times": 1])
        ProviderAssert.fails(p.poll(try XCTUnwrap(submitted["ref"])), with: .provider, ["not valid JSON"])
    }

    func testTruncatedImageIsARetryableFetchFailure() throws {
        try emulator.scenario(["mode": "truncated_image", "on": "file", "times": 1])
        let p = try plugin()
        let ref = try XCTUnwrap(try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.sd)).get())["ref"])
        ProviderAssert.fails(p.fetch(ref, 0), with: .provider, ["truncated PNG"])
        ProviderAssert.isWholePNG(try p.fetch(ref, 0).get())
    }

    func testExpiredOutputURLIsNotFound() throws {
        try emulator.scenario(["mode": "expired_output", "on": "file"])
        let p = try plugin()
        let ref = try XCTUnwrap(try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.sd)).get())["ref"])
        ProviderAssert.fails(p.fetch(ref, 0), with: .notFound, ["expired", "an hour"])
    }

    func testDeletedOutputsAreReportedAsNotFound() throws {
        try emulator.scenario(["mode": "data_removed"])
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.sd)).get())
        XCTAssertEqual(done["state"]?.string, "failed")
        XCTAssertEqual(done["error"]?["status"]?.number, Double(PluginStatus.notFound.rawValue))
    }

    // MARK: outcomes

    func testNSFWFailureIsContentFiltered() throws {
        try emulator.scenario(["mode": "nsfw"])
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.sd)).get())
        XCTAssertEqual(done["state"]?.string, "content_filtered")
        XCTAssertEqual(done["error"]?["status"]?.number, Double(PluginStatus.contentFiltered.rawValue))
        XCTAssertTrue(done["error"]?["message"]?.string?.contains("NSFW content detected") ?? false)
    }

    func testModelFailureIsAProviderError() throws {
        try emulator.scenario(["mode": "model_error"])
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(ProviderHarness.request(model: Self.sd)).get())
        XCTAssertEqual(done["state"]?.string, "failed")
        XCTAssertEqual(done["error"]?["status"]?.number, Double(PluginStatus.provider.rawValue))
        XCTAssertTrue(done["error"]?["message"]?.string?.contains("CUDA out of memory") ?? false)
    }

    func testJobPastItsDeadlineIsCancelledAtReplicateAndEndsAsTimeout() throws {
        try emulator.scenario(["mode": "never_finishes"])
        let clock = TestClock()
        let p = try plugin(clock: clock)
        let submitted = try p.submit(ProviderHarness.request(model: Self.sd, deadlineMs: clock.now + 60_000)).get()
        let ref = try XCTUnwrap(submitted["ref"])
        for _ in 0..<3 { XCTAssertTrue(["queued", "running"].contains(try p.poll(ref).get()["state"]?.string ?? "")) }
        XCTAssertTrue(try emulator.events(named: "cancel").isEmpty)
        clock.advance(milliseconds: 61_000)
        let expired = try p.poll(ref).get()
        XCTAssertEqual(expired["state"]?.string, "failed")
        XCTAssertEqual(expired["error"]?["status"]?.number, Double(PluginStatus.timeout.rawValue))
        XCTAssertTrue(expired["error"]?["message"]?.string?.contains("deadline") ?? false)
        XCTAssertEqual(try emulator.events(named: "cancel").count, 1, "the cancel reached Replicate")
        // Polling afterwards still reports the timeout, not a user cancel.
        XCTAssertEqual(try p.poll(ref).get()["error"]?["status"]?.number, Double(PluginStatus.timeout.rawValue))
    }

    func testCancelReachesReplicateAndPollReportsCancelled() throws {
        try emulator.scenario(["mode": "never_finishes"])
        let p = try plugin()
        let ref = try XCTUnwrap(try p.submit(ProviderHarness.request(model: Self.sd)).get()["ref"])
        XCTAssertNoThrow(try p.cancel(ref).get())
        XCTAssertEqual(try emulator.events(named: "cancel").first?["id"]?.string, ref["id"]?.string)
        XCTAssertEqual(try p.poll(ref).get()["state"]?.string, "cancelled")
    }

    func testRefFromAnotherInstanceResumes() throws {
        // A restarted host polls with the persisted ref only.
        let first = try plugin()
        let ref = try XCTUnwrap(try first.submit(ProviderHarness.request(model: Self.sd)).get()["ref"])
        let second = try plugin()
        let done = try second.pollUntilDone(["state": "queued", "ref": ref])
        XCTAssertEqual(done["state"]?.string, "succeeded")
        XCTAssertEqual(try creates().count, 1)
    }

    func testBadConfigIsRefusedAtCreateNamingTheKey() throws {
        XCTAssertThrowsError(try plugin(["prefer_wait": 90])) { error in
            XCTAssertTrue("\(error)".contains("providers.replicate.prefer_wait"), "\(error)")
        }
    }
}
