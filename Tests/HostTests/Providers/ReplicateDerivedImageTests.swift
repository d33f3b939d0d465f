import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// Replicate's image inputs through the C ABI against `Tests/Emulators/replicate_emulator.py`:
/// flux-dev's `image` + `prompt_strength` (a `data:` URL up to 256 KB, else an upload through
/// the files API) and Real-ESRGAN's `image` + `scale`.
final class ReplicateDerivedImageTests: ProviderTestCase {
    static let token = "test-token-replicate"
    static let esrgan = "nightmareai/real-esrgan:42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b"

    override var defaultBasePath: String { "/v1" }

    override func setUpWithError() throws {
        try startEmulator("replicate", token: Self.token)
    }

    func plugin(_ config: [String: JSONValue] = [:]) throws -> ProviderHarness {
        try harness("replicate", config: config, secrets: ["REPLICATE_API_TOKEN": Self.token])
    }

    func testFluxDevVariesAnImageSentAsADataURLWithPromptStrength() throws {
        let p = try plugin()
        let source = [UInt8](try ImagingFixtures.scenePNG(width: 96, height: 64))
        let request = ProviderHarness.derived(ProviderHarness.request(model: "black-forest-labs/flux-dev", seed: nil), kind: "vary",
                                   image: source, width: 96, height: 64, strength: 0.35)
        let done = try p.pollUntilDone(try p.submit(request).get())
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        let input = try XCTUnwrap(emulator.requests(kind: "create").first?["json"]?["input"])
        XCTAssertEqual(input["image"]?.string, "data:image/png;base64," + Data(source).base64EncodedString())
        XCTAssertEqual(input["prompt_strength"]?.number, 0.35)
        XCTAssertNotNil(input["seed"]?.number, "a seed derived from the job id names the job in the input")
        let event = try XCTUnwrap(try emulator.events(named: "image_input").first)
        XCTAssertEqual(event["source"], [96, 64])
        XCTAssertEqual(event["via"]?.string, "data_url")
        XCTAssertEqual(try emulator.events(named: "uploaded").count, 0)
        ProviderAssert.isWholePNG(try p.fetch(try XCTUnwrap(done["ref"]), 0).get())
    }

    func testAnImageOver256KBIsUploadedThroughTheFilesAPIFirst() throws {
        let p = try plugin()
        let source = [UInt8](try ImagingFixtures.scenePNG(width: 2048, height: 1536))
        XCTAssertGreaterThan(source.count, 256 * 1024, "the fixture must be over the data-URL limit")
        let request = ProviderHarness.derived(ProviderHarness.request(model: "black-forest-labs/flux-dev"), kind: "vary",
                                   image: source, width: 2048, height: 1536, strength: 0.6)
        let done = try p.pollUntilDone(try p.submit(request).get())
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        let upload = try XCTUnwrap(try emulator.events(named: "uploaded").first)
        XCTAssertEqual(upload["size"]?.number, Double(source.count))
        XCTAssertEqual(upload["metadata"]?["imagegen_job"], request["job_id"])
        let image = try XCTUnwrap(emulator.requests(kind: "create").first?["json"]?["input"]?["image"]?.string)
        XCTAssertTrue(image.hasPrefix(emulator.baseURL + "/v1/files/"), image)
        XCTAssertEqual(try emulator.events(named: "image_input").first?["via"]?.string, "file")
    }

    func testRealESRGANUpscalesByTheRequestedScale() throws {
        let p = try plugin()
        let source = [UInt8](try ImagingFixtures.scenePNG(width: 80, height: 60))
        let request = ProviderHarness.derived(ProviderHarness.request(model: Self.esrgan, width: 160, height: 120, steps: nil, guidance: nil),
                                   kind: "upscale", image: source, width: 160, height: 120, scale: 2)
        let done = try p.pollUntilDone(try p.submit(request).get())
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        let input = try XCTUnwrap(emulator.requests(kind: "create").first?["json"]?["input"]?.object)
        XCTAssertEqual(Set(input.keys), ["image", "scale"], "an upscaler takes no prompt, size or seed")
        XCTAssertEqual(input["scale"]?.number, 2)
        let png = try p.fetch(try XCTUnwrap(done["ref"]), 0).get()
        ProviderAssert.isWholePNG(png)
        func be32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        XCTAssertEqual([be32(16), be32(20)], [160, 120])
    }

    func testAModelWithoutAnImageInputRefusesToVaryAndSendsNothing() throws {
        let p = try plugin()
        let request = ProviderHarness.derived(ProviderHarness.request(model: "black-forest-labs/flux-schnell"), kind: "vary",
                                   image: [UInt8](try ImagingFixtures.scenePNG(width: 32, height: 32)), width: 32, height: 32)
        ProviderAssert.fails(p.submit(request), with: .unsupported, ["flux-schnell", "no image input", "flux-dev"])
        XCTAssertEqual(try emulator.requests(kind: "create").count, 0)
    }

    func testAnInputImageTheModelCannotOpenIsInvalidRequest() throws {
        let p = try plugin()
        let request = ProviderHarness.derived(ProviderHarness.request(model: "black-forest-labs/flux-dev"), kind: "vary",
                                   image: Array("not an image".utf8), width: 32, height: 32)
        ProviderAssert.fails(p.submit(request), with: .invalidRequest, ["input.image", "cannot identify image"])
    }
}
