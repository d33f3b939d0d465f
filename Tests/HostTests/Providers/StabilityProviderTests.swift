import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// The Stability AI plugin through the C ABI against `Tests/Emulators/stability_emulator.py`.
final class StabilityProviderTests: ProviderTestCase {
    static let token = "test-token-stability"
    static let sdxl = "stable-diffusion-xl-1024-v1-0"

    override func setUpWithError() throws {
        try startEmulator("stability", token: Self.token)
    }

    func plugin(_ config: [String: JSONValue] = [:], clock: TestClock = TestClock(),
                secrets: [String: String] = ["STABILITY_API_KEY": StabilityProviderTests.token]) throws -> ProviderHarness {
        try harness("stabilityai", config: config, secrets: secrets, clock: clock)
    }

    func creates() throws -> [JSONValue] { try emulator.requests(kind: "create") }

    // MARK: v1 (SDXL)

    func testSDXLGeneratesSynchronouslyAndFetchNeedsNoRequest() throws {
        let p = try plugin()
        let submitted = try p.submit(ProviderHarness.request(model: Self.sdxl, negative: "blurry, text", outputs: 2)).get()
        XCTAssertEqual(submitted["state"]?.string, "succeeded", "v1 is synchronous")
        XCTAssertEqual(submitted["outputs"]?.array?.count, 2)
        XCTAssertEqual(submitted["seed"]?.number, 42)
        let ref = try XCTUnwrap(submitted["ref"])
        XCTAssertEqual(try p.poll(ref).get()["state"]?.string, "succeeded")
        let before = try emulator.requests().count
        for i in 0..<2 { ProviderAssert.isWholePNG(try p.fetch(ref, i).get()) }
        XCTAssertEqual(try emulator.requests().count, before, "the images travel in the ref")

        let body = try XCTUnwrap(creates().first?["json"])
        XCTAssertEqual(try creates().first?["path"]?.string, "/v1/generation/stable-diffusion-xl-1024-v1-0/text-to-image")
        XCTAssertEqual(body["text_prompts"], [["text": "a red bicycle on a beach", "weight": 1], ["text": "blurry, text", "weight": -1]])
        XCTAssertEqual(body["width"]?.number, 1024, "512×512 is not an SDXL size: moved to the nearest one")
        XCTAssertEqual(body["height"]?.number, 1024)
        XCTAssertEqual(body["cfg_scale"]?.number, 7.5)
        XCTAssertEqual(body["steps"]?.number, 30)
        XCTAssertEqual(body["samples"]?.number, 2)
        XCTAssertEqual(body["seed"]?.number, 42)
        XCTAssertEqual(try creates().first?["headers"]?["accept"]?.string, "application/json")
    }

    func testSDXLSizeOutsideTheAllowedListIsA400WhenNotSnapped() throws {
        let p = try plugin(["snap_dimensions": false])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sdxl)), with: .invalidRequest,
                             ["HTTP 400", "invalid_height_or_width", "allowed dimensions"])
    }

    func testWideRequestMapsToTheNearestSDXLShape() throws {
        let p = try plugin()
        _ = try p.submit(ProviderHarness.request(model: Self.sdxl, width: 1920, height: 1080)).get()
        let body = try XCTUnwrap(creates().first?["json"])
        XCTAssertEqual([body["width"]?.number, body["height"]?.number], [1344, 768])
    }

    func testContentFilteredArtifactIsNotKept() throws {
        try emulator.scenario(["mode": "content_filtered"])
        let p = try plugin()
        let r = try p.submit(ProviderHarness.request(model: Self.sdxl)).get()
        XCTAssertEqual(r["state"]?.string, "content_filtered")
        XCTAssertEqual(r["error"]?["status"]?.number, Double(PluginStatus.contentFiltered.rawValue))
        XCTAssertNil(r["outputs"])
        ProviderAssert.fails(p.fetch(try XCTUnwrap(r["ref"]), 0), with: .invalidRequest)
    }

    func testPartlyFilteredBatchKeepsOnlyTheCleanImages() throws {
        try emulator.scenario(["mode": "content_filtered", "partial": true])
        let p = try plugin()
        let r = try p.submit(ProviderHarness.request(model: Self.sdxl, outputs: 3)).get()
        XCTAssertEqual(r["state"]?.string, "succeeded")
        XCTAssertEqual(r["outputs"]?.array?.count, 2)
        XCTAssertTrue(p.lines.lines.contains { $0.contains("dropped 1 blurred") })
    }

    func testFilteredWordsAreContentFiltered() throws {
        try emulator.scenario(["mode": "invalid_prompts", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sdxl)), with: .contentFiltered, ["filtered words"])
    }

    func testUnknownEngineIsUnsupportedSoTheHostFailsOver() throws {
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "stable-diffusion-v2-gone")), with: .unsupported,
                             ["HTTP 404", "not available"])
    }

    // MARK: v2beta

    func testCoreIsMultipartWithAspectRatioAndReadsTheHeaders() throws {
        let p = try plugin()
        let r = try p.submit(ProviderHarness.request(model: "stable-image-core", negative: "text", width: 1600, height: 900, seed: 7)).get()
        XCTAssertEqual(r["state"]?.string, "succeeded")
        XCTAssertEqual(r["seed"]?.number, 7, "from the seed header")
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(r["ref"]), 0).get())
        let create = try XCTUnwrap(creates().first)
        XCTAssertEqual(create["path"]?.string, "/v2beta/stable-image/generate/core")
        XCTAssertTrue(create["headers"]?["content-type"]?.string?.hasPrefix("multipart/form-data; boundary=") ?? false)
        XCTAssertEqual(create["headers"]?["accept"]?.string, "image/*")
        XCTAssertEqual(create["form"], ["prompt": "a red bicycle on a beach", "negative_prompt": "text", "aspect_ratio": "16:9",
                                        "seed": "7", "output_format": "png"])
    }

    func testSD3WithJSONAcceptSendsModelAndCfg() throws {
        let p = try plugin(["accept": "json"])
        let r = try p.submit(ProviderHarness.request(model: "sd3.5-large", width: 832, height: 1216, guidance: 12)).get()
        XCTAssertEqual(r["state"]?.string, "succeeded")
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(r["ref"]), 0).get())
        let create = try XCTUnwrap(creates().first)
        XCTAssertEqual(create["headers"]?["accept"]?.string, "application/json")
        XCTAssertEqual(create["form"]?["model"]?.string, "sd3.5-large")
        XCTAssertEqual(create["form"]?["mode"]?.string, "text-to-image")
        XCTAssertEqual(create["form"]?["cfg_scale"]?.string, "10.0", "clamped to the documented 1…10")
        XCTAssertEqual(create["form"]?["aspect_ratio"]?.string, "2:3")
    }

    func testV2ContentFilteredFinishReasonIsContentFiltered() throws {
        try emulator.scenario(["mode": "content_filtered"])
        let p = try plugin()
        XCTAssertEqual(try p.submit(ProviderHarness.request(model: "stable-image-ultra")).get()["state"]?.string, "content_filtered")
        let q = try plugin(["accept": "json"])
        XCTAssertEqual(try q.submit(ProviderHarness.request(model: "stable-image-ultra")).get()["state"]?.string, "content_filtered")
    }

    func testModerationRefusalIsContentFilteredAndFinal() throws {
        try emulator.scenario(["mode": "content_moderation", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "stable-image-core")), with: .contentFiltered,
                             ["HTTP 403", "content_moderation", "not charged"])
    }

    func testSeveralImagesFromAOneImageEndpointIsRefusedBeforeSending() throws {
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "stable-image-core", outputs: 2)), with: .invalidRequest, ["one image per request"])
        XCTAssertEqual(try emulator.requests().count, 0)
    }

    // MARK: keys, money, limits

    func testMissingKeyIsAnAuthErrorNamingTheVariable() throws {
        let p = try plugin(secrets: [:])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sdxl)), with: .auth, ["STABILITY_API_KEY"])
        XCTAssertEqual(try emulator.requests().count, 0)
    }

    func testWrongKeyIsAuth() throws {
        let p = try plugin(secrets: ["STABILITY_API_KEY": "test-token-wrong"])
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "stable-image-core")), with: .auth, ["HTTP 401", "unauthorized"])
    }

    func testInsufficientCreditsIsQuota() throws {
        try emulator.scenario(["mode": "insufficient_balance", "on": "create"])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "stable-image-core")), with: .quota, ["HTTP 402", "payment_required", "credit"])
    }

    func testBalanceIsExposedThroughTheExtension() throws {
        let p = try plugin()
        let b = try XCTUnwrap(try p.instance.balance())
        XCTAssertEqual(b["credits"]?.number, 42.5)
        XCTAssertEqual(b["unit"]?.string, "credits")
        try emulator.scenario(["mode": "unauthorized", "on": "balance", "times": 1])
        XCTAssertThrowsError(try p.instance.balance()) { XCTAssertEqual(($0 as? PluginCallError)?.status, .auth) }
    }

    func testRateLimitWithoutRetryAfterWaitsTheDocumentedMinute() throws {
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1])
        let p = try plugin()
        let e = ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sdxl)), with: .rateLimited, ["60 s"])
        XCTAssertEqual(e?.retryAfterMilliseconds, 60_000)
        try emulator.scenario(["mode": "rate_limited", "on": "create", "times": 1, "header": true, "retry_after": 3])
        XCTAssertEqual(ProviderAssert.fails(p.submit(ProviderHarness.request(model: "stable-image-core")), with: .rateLimited)?.retryAfterMilliseconds, 3000)
    }

    func testServerErrorThenSuccess() throws {
        try emulator.scenario(["mode": "server_error", "on": "create", "times": 1])
        let p = try plugin()
        let request = ProviderHarness.request(model: Self.sdxl)
        ProviderAssert.fails(p.submit(request), with: .provider, ["HTTP 500", "internal_error"])
        XCTAssertEqual(try p.submit(request).get()["state"]?.string, "succeeded")
    }

    // MARK: broken answers

    func testDroppedConnectionIsTimeoutAndNotResent() throws {
        try emulator.scenario(["mode": "drop", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sdxl)), with: .timeout, ["not sent again"])
        XCTAssertEqual(try creates().count, 1)
    }

    func testMalformedJSONIsTimeoutBecauseTheImageMayHaveBeenCharged() throws {
        try emulator.scenario(["mode": "malformed", "on": "create", "times": 1])
        let p = try plugin()
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sdxl)), with: .timeout, ["not valid JSON", "not sent again"])
        XCTAssertEqual(try creates().count, 1)
    }

    func testTruncatedImageFailsTheJob() throws {
        try emulator.scenario(["mode": "truncated_image", "on": "create", "times": 2])
        let p = try plugin()
        for model in [Self.sdxl, "stable-image-core"] {
            let r = try p.submit(ProviderHarness.request(model: model)).get()
            XCTAssertEqual(r["state"]?.string, "failed", model)
            XCTAssertEqual(r["error"]?["status"]?.number, Double(PluginStatus.provider.rawValue))
            XCTAssertTrue(r["error"]?["message"]?.string?.contains("truncated PNG") ?? false, "\(r)")
        }
    }

    func testHangingGenerationEndsAtTheDeadlineAsTimeoutAndTheConnectionIsDropped() throws {
        try emulator.scenario(["mode": "hang", "on": "create", "times": 1, "max_seconds": 20])
        let p = try plugin()
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + 1_200
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: "stable-image-core", deadlineMs: deadline)), with: .timeout)
        // Stability has no cancel endpoint: hanging up is the cancel, and the emulator saw it.
        var seen = false
        for _ in 0..<100 where !seen {
            seen = !(try emulator.events(named: "client_disconnected").isEmpty)
            if !seen { usleep(20_000) }
        }
        XCTAssertTrue(seen, "the emulator never saw the client hang up")
    }

    func testDeadlineAlreadyPassedSendsNothing() throws {
        let clock = TestClock()
        let p = try plugin(clock: clock)
        ProviderAssert.fails(p.submit(ProviderHarness.request(model: Self.sdxl, deadlineMs: clock.now - 1)), with: .timeout, ["nothing was sent"])
        XCTAssertEqual(try emulator.requests().count, 0)
    }
}
