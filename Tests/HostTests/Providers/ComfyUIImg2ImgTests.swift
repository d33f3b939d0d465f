import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// ComfyUI image-to-image through the C ABI against `Tests/Emulators/comfyui_emulator.py`:
/// the input goes up through `POST /upload/image`, a LoadImage titled `imagegen.input_image`
/// reads it, the strength becomes the sampler's `denoise`.
final class ComfyUIImg2ImgTests: ProviderTestCase {
    override func setUpWithError() throws {
        try startEmulator("comfyui", token: "test-token-comfyui")
    }

    func plugin() throws -> ProviderHarness {
        try harness("comfyui", config: ["poll_interval_ms": 10, "reconcile_settle_ms": 0], secrets: [:])
    }

    func node(_ title: String, in create: JSONValue?) -> JSONValue? {
        create?["json"]?["prompt"]?.object?.values.first { $0["_meta"]?["title"]?.string == title }
    }

    func vary(_ image: [UInt8], width: Int = 96, height: Int = 64, strength: Double? = 0.35) -> JSONValue {
        ProviderHarness.derived(ProviderHarness.request(model: "img2img", prompt: "the same room at dusk", width: width,
                                                                   height: height),
                                           kind: "vary", image: image, width: width, height: height, strength: strength)
    }

    func testVaryUploadsTheInputAndPatchesLoadImageAndDenoise() throws {
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(vary([UInt8](try ImagingFixtures.scenePNG(width: 96, height: 64)))).get())
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        let create = try XCTUnwrap(emulator.requests(kind: "create").first)
        let promptID = try XCTUnwrap(create["json"]?["prompt_id"]?.string)
        let upload = try XCTUnwrap(try emulator.events(named: "uploaded").first)
        XCTAssertEqual(upload["file"]?.string, "imagegen/\(promptID).png", "one input file per job, named by its prompt_id")
        XCTAssertEqual(node("imagegen.input_image", in: create)?["inputs"]?["image"]?.string, "imagegen/\(promptID).png")
        XCTAssertEqual(node("imagegen.sampler", in: create)?["inputs"]?["denoise"]?.number, 0.35)
        XCTAssertNil(node("imagegen.latent", in: create), "the input decides the size")
        XCTAssertEqual(try emulator.events(named: "image_input").first?["source"], [96, 64])
        let png = try p.fetch(try XCTUnwrap(done["ref"]), 0).get()
        ProviderAssert.isWholePNG(png)
        func be32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        XCTAssertEqual([be32(16), be32(20)], [96, 64])
        XCTAssertEqual(try emulator.events(named: "prompt_queued").count, 1)
    }

    func testReconcileFindsAVaryWithoutUploadingAgain() throws {
        let p = try plugin()
        let request = vary([UInt8](try ImagingFixtures.scenePNG(width: 64, height: 64)), width: 64, height: 64)
        guard case .absent? = try p.instance.reconcile(request) else { return XCTFail("nothing was queued yet") }
        XCTAssertEqual(try emulator.events(named: "uploaded").count, 0, "reconcile uploads nothing")
        _ = try p.submit(request).get()
        guard case .found(let found)? = try p.instance.reconcile(request) else { return XCTFail("the vary was not found") }
        XCTAssertEqual(try emulator.events(named: "uploaded").count, 1)
        XCTAssertEqual(try p.pollUntilDone(found)["state"]?.string, "succeeded")
    }

    func testAnInputComfyUICannotOpenIsInvalidRequestAndNothingIsQueued() throws {
        let p = try plugin()
        ProviderAssert.fails(p.submit(vary(Array("not an image".utf8))), with: .invalidRequest,
                             ["HTTP 400", "LoadImage", "Invalid image file"])
        XCTAssertEqual(try emulator.events(named: "prompt_queued").count, 0)
    }

    func testAnImg2ImgWorkflowCannotUpscaleAndATextWorkflowCannotVary() throws {
        let p = try plugin()
        let image = [UInt8](try ImagingFixtures.scenePNG(width: 32, height: 32))
        ProviderAssert.fails(p.submit(ProviderHarness.derived(ProviderHarness.request(model: "img2img"), kind: "upscale",
                                                                         image: image, width: 64, height: 64, scale: 2)),
                             with: .invalidRequest, ["img2img", "imagegen.upscale_model"])
        ProviderAssert.fails(p.submit(ProviderHarness.derived(ProviderHarness.request(model: "txt2img"), kind: "vary",
                                                                         image: image, width: 32, height: 32)),
                             with: .invalidRequest, ["imagegen.input_image"])
        XCTAssertEqual(try emulator.events(named: "prompt_queued").count, 0)
    }

    func testTheBuiltInImg2ImgWorkflowIsTheShippedExample() throws {
        let shipped = try String(contentsOfFile: TestEnvironment.repositoryRoot + "/docs/examples/comfyui/img2img.json", encoding: .utf8)
        _ = try plugin().submit(vary([UInt8](try ImagingFixtures.scenePNG(width: 32, height: 32)), width: 32, height: 32)).get()
        let sent = try XCTUnwrap(emulator.requests(kind: "create").first?["json"]?["prompt"])
        let example = try XCTUnwrap(JSONValue.parse(Array(shipped.utf8))?.object)
        XCTAssertEqual(Set(sent.object?.keys.map { $0 } ?? []), Set(example.keys))
        for (id, node) in example {
            XCTAssertEqual(sent[id]?["class_type"], node["class_type"], id)
            XCTAssertEqual(sent[id]?["_meta"], node["_meta"], id)
        }
    }
}
