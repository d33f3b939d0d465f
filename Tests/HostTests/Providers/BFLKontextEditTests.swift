import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// FLUX.1 Kontext editing through the BFL plugin (`images vary` → `input_image`, base64)
/// against `Tests/Emulators/bfl_emulator.py`, which checks the image decodes.
final class BFLKontextEditTests: ProviderTestCase {
    static let token = "test-token-bfl"

    override func setUpWithError() throws {
        try startEmulator("bfl", token: Self.token)
    }

    func plugin() throws -> ProviderHarness {
        try harness("bfl", config: ["poll_interval_ms": 10], secrets: ["BFL_API_KEY": Self.token])
    }

    func testKontextEditsTheInputImageAndReportsBFLsCost() throws {
        let p = try plugin()
        let source = [UInt8](try ImagingFixtures.scenePNG(width: 96, height: 64))
        let request = ProviderHarness.derived(ProviderHarness.request(model: "flux-kontext-pro", prompt: "make it dusk",
                                                                                 width: 96, height: 64),
                                                         kind: "vary", image: source, width: 96, height: 64, strength: 0.4)
        let done = try p.pollUntilDone(try p.submit(request).get())
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        XCTAssertEqual(try XCTUnwrap(done["cost_usd"]?.number), 0.04, accuracy: 1e-12, "Kontext pro: 4 credits, as BFL reported")
        let body = try XCTUnwrap(emulator.requests(kind: "create").first?["json"])
        XCTAssertEqual(body["input_image"]?.string, Data(source).base64EncodedString())
        XCTAssertEqual(body["aspect_ratio"]?.string, "3:2", "the input's own shape")
        XCTAssertEqual(try emulator.events(named: "image_input").first?["source"], [96, 64])
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(done["ref"]), 0).get())
        XCTAssertTrue(p.lines.lines.contains { $0.contains("no strength setting") })
    }

    func testAModelThatCannotEditRefusesAndSendsNothing() throws {
        let p = try plugin()
        let source = [UInt8](try ImagingFixtures.scenePNG(width: 32, height: 32))
        for (model, kind) in [("flux-2-pro", "vary"), ("flux-kontext-pro", "upscale")] {
            let request = ProviderHarness.derived(ProviderHarness.request(model: model), kind: kind, image: source,
                                                             width: 32, height: 32, scale: kind == "upscale" ? 2 : nil)
            ProviderAssert.fails(p.submit(request), with: .unsupported, ["flux-kontext-pro"])
        }
        XCTAssertEqual(try emulator.requests(kind: "create").count, 0)
    }

    func testAnInputImageBFLCannotReadIsInvalidRequestNamingTheField() throws {
        let p = try plugin()
        let request = ProviderHarness.derived(ProviderHarness.request(model: "flux-kontext-max"), kind: "vary",
                                                         image: Array("not an image".utf8), width: 32, height: 32)
        ProviderAssert.fails(p.submit(request), with: .invalidRequest, ["input_image"])
    }

    func testInputModerationOfAnEditIsContentFiltered() throws {
        try emulator.scenario(["mode": "request_moderated"])
        let p = try plugin()
        let request = ProviderHarness.derived(ProviderHarness.request(model: "flux-kontext-pro"), kind: "vary",
                                                         image: [UInt8](try ImagingFixtures.scenePNG(width: 32, height: 32)),
                                                         width: 32, height: 32)
        let done = try p.pollUntilDone(try p.submit(request).get())
        XCTAssertEqual(done["state"]?.string, "content_filtered")
        XCTAssertTrue(done["error"]?["message"]?.string?.contains("input image") ?? false, "\(done)")
    }
}
