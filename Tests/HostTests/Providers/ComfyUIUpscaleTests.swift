import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// ComfyUI upscaling through the C ABI against `Tests/Emulators/comfyui_emulator.py`: the
/// input goes up through `POST /upload/image`, the upscale model's ×4 is scaled to the factor
/// asked for by ImageScaleBy, and ComfyUI's own validation names an upscale model it lacks.
final class ComfyUIUpscaleTests: ProviderTestCase {
    static let example = TestEnvironment.repositoryRoot + "/docs/examples/comfyui/upscale.json"

    override func setUpWithError() throws {
        try startEmulator("comfyui", token: "test-token-comfyui")
    }

    func plugin(_ config: [String: JSONValue] = [:]) throws -> ProviderHarness {
        try harness("comfyui", config: config.merging(["poll_interval_ms": 10, "reconcile_settle_ms": 0]) { a, _ in a }, secrets: [:])
    }

    func node(_ title: String, in create: JSONValue?) -> JSONValue? {
        create?["json"]?["prompt"]?.object?.values.first { $0["_meta"]?["title"]?.string == title }
    }

    func upscale(width: Int = 48, height: Int = 32, scale: Double, model: String = "upscale") throws -> JSONValue {
        let image = [UInt8](try ImagingFixtures.scenePNG(width: width, height: height))
        return ProviderHarness.derived(ProviderHarness.request(model: model, width: Int(Double(width) * scale),
                                                               height: Int(Double(height) * scale)),
                                       kind: "upscale", image: image, width: width, height: height, scale: scale)
    }

    func size(_ png: [UInt8]) -> [Int] {
        func be32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return [be32(16), be32(20)]
    }

    func testUpscaleUploadsTheInputAndScalesTheModelsFactorToTheOneAskedFor() throws {
        let p = try plugin()
        let done = try p.pollUntilDone(try p.submit(try upscale(scale: 2)).get())
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        let create = try XCTUnwrap(emulator.requests(kind: "create").first)
        let promptID = try XCTUnwrap(create["json"]?["prompt_id"]?.string)
        XCTAssertEqual(node("imagegen.input_image", in: create)?["inputs"]?["image"]?.string, "imagegen/\(promptID).png")
        XCTAssertEqual(node("imagegen.upscale_model", in: create)?["inputs"]?["model_name"]?.string, "RealESRGAN_x4plus.pth")
        XCTAssertEqual(node("imagegen.scale", in: create)?["inputs"]?["scale_by"]?.number, 0.5, "×4 model, ×2 asked")
        let png = try p.fetch(try XCTUnwrap(done["ref"]), 0).get()
        ProviderAssert.isWholePNG(png)
        XCTAssertEqual(size(png), [96, 64])
        XCTAssertEqual(try emulator.events(named: "uploaded").count, 1)
    }

    func testAModelsFactorComesFromItsNameOrTheConfig() throws {
        let p = try plugin(["upscale_model": "RealESRGAN_x2plus.pth"])
        let done = try p.pollUntilDone(try p.submit(try upscale(scale: 3)).get())
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        XCTAssertEqual(try emulator.events(named: "upscale").first?["scale_by"]?.number, 1.5)
        XCTAssertEqual(size(try p.fetch(try XCTUnwrap(done["ref"]), 0).get()), [144, 96])
        // upscale_model_scale overrides the name (here wrongly: the emulator's ×2 model then makes ×1).
        let configured = try plugin(["upscale_model": "RealESRGAN_x2plus.pth", "upscale_model_scale": 4])
        _ = try configured.submit(try upscale(scale: 2)).get()
        XCTAssertEqual(try emulator.events(named: "upscale").last?["scale_by"]?.number, 0.5)
    }

    func testAnUpscaleModelComfyUIDoesNotHaveIsNamedAndNothingIsQueued() throws {
        let p = try plugin()
        ProviderAssert.fails(p.submit(try upscale(scale: 2, model: "upscale?upscale_model=NoSuch_x4.pth")), with: .invalidRequest,
                             ["HTTP 400", "UpscaleModelLoader", "NoSuch_x4.pth"])
        XCTAssertEqual(try emulator.events(named: "prompt_queued").count, 0)
    }

    func testAWorkflowInTheFolderReplacesTheBuiltInOne() throws {
        let folder = TestEnvironment.temporaryDirectory("comfy-upscale-workflows")
        defer { try? FileManager.default.removeItem(atPath: folder) }  // try?: a leftover temp folder is harmless
        var graph = try XCTUnwrap(JSONValue.parse(Array(try String(contentsOfFile: Self.example, encoding: .utf8).utf8))?.object)
        graph["4"] = nil  // no ImageScaleBy: only the model's own factor can be made
        graph["5"] = ["class_type": "SaveImage", "_meta": ["title": "imagegen.output"],
                      "inputs": ["filename_prefix": "mine", "images": ["3", 0]]]
        try JSONValue.object(graph).encoded().write(to: URL(fileURLWithPath: folder + "/upscale.json"))
        let p = try plugin(["workflows_dir": .string(folder)])
        ProviderAssert.fails(p.submit(try upscale(scale: 2)), with: .invalidRequest, ["imagegen.scale", "--scale 4"])
        let done = try p.pollUntilDone(try p.submit(try upscale(scale: 4)).get())
        XCTAssertEqual(done["state"]?.string, "succeeded", "\(done)")
        XCTAssertNil(node("imagegen.scale", in: try emulator.requests(kind: "create").first))
        XCTAssertEqual(size(try p.fetch(try XCTUnwrap(done["ref"]), 0).get()), [192, 128])
    }

    func testTheBuiltInUpscaleWorkflowIsTheShippedExample() throws {
        let example = try XCTUnwrap(JSONValue.parse(Array(try String(contentsOfFile: Self.example, encoding: .utf8).utf8))?.object)
        _ = try plugin().submit(try upscale(scale: 2)).get()
        let sent = try XCTUnwrap(emulator.requests(kind: "create").first?["json"]?["prompt"])
        XCTAssertEqual(Set(sent.object?.keys.map { $0 } ?? []), Set(example.keys))
        for (id, node) in example {
            XCTAssertEqual(sent[id]?["class_type"], node["class_type"], id)
            XCTAssertEqual(sent[id]?["_meta"], node["_meta"], id)
            XCTAssertEqual(sent[id]?["inputs"]?.object?.keys.sorted(), node["inputs"]?.object?.keys.sorted(), id)
        }
    }
}
