import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// The success path of `POST /v1/images/{id}/vary` and `/upscale` through `imagegen serve`'s
/// API: a ComfyUI image (local emulator) varied by Replicate's flux-dev and upscaled by
/// Real-ESRGAN (Replicate emulator). Each answer is a new image with `parent_id`, its bytes
/// served by the API, and the cost on its job and in `GET /v1/costs`.
final class ServerDerivedImageTests: XCTestCase {
    static let replicateToken = "test-token-replicate"

    func testVaryAndUpscaleThroughTheAPIMakeNewPricedVersionsOfAStoredImage() async throws {
        let comfy = try EmulatorProcess("comfyui", token: "test-token-comfyui")
        let replicate = try EmulatorProcess("replicate", token: Self.replicateToken)
        defer { comfy.stop(); replicate.stop() }
        let folder = TestEnvironment.temporaryDirectory("srv-derived-secrets")
        defer { try? FileManager.default.removeItem(atPath: folder) }  // try?: a leftover temp folder harms nothing
        try SecurityFixtures.writeOwnerOnly(folder + "/secrets.env", "REPLICATE_API_TOKEN=\(Self.replicateToken)\n")
        let h = try await ServerTestHarness(label: "srv-derived", plugins: ["comfyui", "replicate"], config: """
            { providers: { comfyui: { base_url: "\(comfy.baseURL)", poll_interval_ms: 10 },
                           replicate: { base_url: "\(replicate.baseURL)/v1", poll_interval_ms: 10 } },
              secrets: { file: "\(folder)/secrets.env" },
              imaging: { postProcessing: { automatic: false } },
              health: { failure_threshold: 100 } }
            """)
        defer { Task { await h.stop() } }

        let made = try await h.client.generate(["model": "comfyui-txt2img", "prompt": "a lighthouse at dusk",
                                                "parameters": ["width": 512, "height": 384, "seed": 7], "wait": 30])
        XCTAssertEqual(made.status, 200, made.text)
        let sourceID = try XCTUnwrap(made.json?["images"]?[0]?["image_id"]?.string, made.text)

        let varied = try await h.client.send("POST", "/v1/images/\(sourceID)/vary",
                                             json: ["model": "flux-dev", "strength": 0.4, "wait": 30])
        XCTAssertEqual(varied.status, 200, varied.text)
        XCTAssertEqual(varied.json?["jobs"]?[0]?["state"]?.string, "succeeded", varied.text)
        XCTAssertEqual(try XCTUnwrap(varied.json?["jobs"]?[0]?["cost_usd"]?.number), 0.025, accuracy: 1e-9)
        let variedImage = try XCTUnwrap(varied.json?["images"]?[0])
        XCTAssertEqual(variedImage["parent_id"]?.string, sourceID)
        XCTAssertEqual(variedImage["model"]?.string, "flux-dev")
        XCTAssertEqual(try replicate.events(named: "image_input").first?["strength"]?.number, 0.4)

        let upscaled = try await h.client.send("POST", "/v1/images/\(sourceID)/upscale",
                                               json: ["model": "real-esrgan", "scale": 2, "wait": 30])
        XCTAssertEqual(upscaled.status, 200, upscaled.text)
        let upscaledImage = try XCTUnwrap(upscaled.json?["images"]?[0])
        XCTAssertEqual(upscaledImage["parent_id"]?.string, sourceID)
        XCTAssertEqual(try XCTUnwrap(upscaled.json?["jobs"]?[0]?["cost_usd"]?.number), 0.005, accuracy: 1e-9)

        // The bytes are stored and served: the upscaled file is the source's size × 2.
        let file = try await h.client.get("/v1/images/\(try XCTUnwrap(upscaledImage["image_id"]?.string))/file")
        XCTAssertEqual(file.status, 200)
        let png = [UInt8](file.body)
        ProviderAssert.isWholePNG(png)
        func be32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        XCTAssertEqual([be32(16), be32(20)], [1024, 768])

        // The ledger has both: GET /v1/costs by model.
        let costs = try await h.client.get("/v1/costs?by=model")
        XCTAssertEqual(costs.status, 200, costs.text)
        let byModel = Dictionary(uniqueKeysWithValues: (costs.json?["groups"]?.array ?? []).compactMap { g in
            g["key"]?.string.map { ($0, g["total_usd"]?.number ?? -1) } })
        XCTAssertEqual(try XCTUnwrap(byModel["flux-dev"]), 0.025, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(byModel["real-esrgan"]), 0.005, accuracy: 1e-9)
        await h.stop()
    }
}
