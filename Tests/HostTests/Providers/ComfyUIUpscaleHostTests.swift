import Foundation
import ImagegenJSON
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Pipeline
@testable import PluginHost

/// `images upscale --model comfyui-upscale` through the host against the ComfyUI emulator: the
/// result is the source's next version at the scale asked for, its GPU time priced in the
/// ledger; an upscale model ComfyUI lacks fails the job naming it.
final class ComfyUIUpscaleHostTests: DerivedImageTestCase {
    var comfy: EmulatorProcess!
    var host: TestHost!

    /// A host whose ComfyUI bills 3.6 USD per GPU hour (the emulator's runs take 2.5 s: 0.0025 USD).
    func start(upscaleModel: String? = nil) async throws {
        comfy = try sharedEmulator("comfyui", token: "test-token-comfyui")
        let model = upscaleModel.map { ", upscale_model: \"\($0)\"" } ?? ""
        host = try TestHost(label: "comfyui-upscale", plugins: ["comfyui"], config: """
            { providers: { comfyui: { base_url: "\(comfy.baseURL)", poll_interval_ms: 10, gpu_usd_per_hour: 3.6\(model) } },
              health: { failure_threshold: 100 } }
            """)
        let settings = try Configuration.load(path: host.paths.config)
        let runtime = HostRuntime(paths: host.paths, configuration: settings, log: host.log, secrets: EnvironmentSecrets(environment: [:]))
        runtime.plugins.rescan()
        service = GenerationService(runtime: runtime, catalog: try SQLiteCatalog(path: host.paths.catalog))
        let r = JobRunner(service: service)
        await r.start()
        runner = r
    }

    override func tearDown() async throws {
        await runner?.stop(grace: 1)
        runner = nil
        host = nil
    }

    func source() async throws -> ImageRecord {
        try await finished(try service.enqueue(GenerationRequest(model: "comfyui-txt2img", prompt: "a lighthouse at dusk",
                                                                 width: 128, height: 96, seed: 7)))
    }

    func testUpscaleStoresTheSourcesNextVersionAtTheScaleAskedForWithItsGPUCost() async throws {
        try await start()
        let source = try await source()
        let upscaled = try await finished(try service.enqueueDerived(from: source.imageID, kind: .upscale, model: "comfyui-upscale", scale: 3))
        XCTAssertEqual(upscaled.parentID, source.imageID)
        XCTAssertEqual(upscaled.extra["kind"], "upscale")
        XCTAssertEqual(upscaled.model, "comfyui-upscale")
        let (w, h) = try storedSize(upscaled)
        XCTAssertEqual([w, h], [384, 288])
        let job = try XCTUnwrap(try service.catalog.job(try XCTUnwrap(upscaled.jobID)))
        XCTAssertEqual(try XCTUnwrap(job.costUSD), 2.5 * 3.6 / 3600, accuracy: 1e-9)
        let ledger = try service.catalog.ledger(since: nil).filter { $0.jobID == job.id }
        XCTAssertEqual(ledger.count, 1)
        XCTAssertEqual(ledger.first?.costUSD ?? -1, 2.5 * 3.6 / 3600, accuracy: 1e-9)
        let event = try XCTUnwrap(try comfy.events(named: "upscale").first)
        XCTAssertEqual(event["model"]?.string, "RealESRGAN_x4plus.pth")
        XCTAssertEqual(event["scale_by"]?.number, 0.75)
        XCTAssertEqual(try comfy.events(named: "image_input").first?["source"], [128, 96])
    }

    func testAnUpscaleModelComfyUILacksFailsTheJobNamingIt() async throws {
        try await start(upscaleModel: "NoSuch_x4.pth")
        let source = try await source()
        let job = try await terminal(try service.enqueueDerived(from: source.imageID, kind: .upscale, model: "comfyui-upscale", scale: 2)[0].id)
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.errorMessage?.contains("NoSuch_x4.pth") ?? false, job.errorMessage ?? "")
        XCTAssertTrue(job.errorMessage?.contains("UpscaleModelLoader") ?? false, job.errorMessage ?? "")
        XCTAssertEqual(try comfy.events(named: "upscale").count, 0, "nothing was queued")
        XCTAssertEqual(try service.catalog.images(ImageFilter(jobID: job.id)).count, 0)
    }
}
