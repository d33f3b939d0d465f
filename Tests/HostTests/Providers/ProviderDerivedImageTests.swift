import Foundation
import ImagegenJSON
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Pipeline
@testable import PluginHost

/// `vary` and `upscale` through the host to the providers of the second wave, against their
/// emulators: Replicate (flux-dev's `image`, Real-ESRGAN), BFL Kontext (`input_image`),
/// ComfyUI (upload + LoadImage) and Midjourney (the proxy's U/V actions on its own task).
/// Each result is a new image with `parent_id`, its bytes stored and its cost in the ledger.
final class ProviderDerivedImageTests: DerivedImageTestCase {
    var comfy: EmulatorProcess!
    var replicate: EmulatorProcess!
    var bfl: EmulatorProcess!
    var midjourney: EmulatorProcess!
    var host: TestHost!

    static let secrets = ["REPLICATE_API_TOKEN": "test-token-replicate", "BFL_API_KEY": "test-token-bfl",
                          "MIDJOURNEY_API_KEY": "test-token-midjourney"]

    override func setUp() async throws {
        comfy = try sharedEmulator("comfyui", token: "test-token-comfyui")
        replicate = try sharedEmulator("replicate", token: Self.secrets["REPLICATE_API_TOKEN"]!)
        bfl = try sharedEmulator("bfl", token: Self.secrets["BFL_API_KEY"]!)
        midjourney = try sharedEmulator("midjourney", token: Self.secrets["MIDJOURNEY_API_KEY"]!)
        host = try TestHost(label: "providers2-derived", plugins: ["comfyui", "replicate", "bfl", "midjourney"], config: """
            { providers: { comfyui: { base_url: "\(comfy.baseURL)", poll_interval_ms: 10 },
                           replicate: { base_url: "\(replicate.baseURL)/v1", poll_interval_ms: 10 },
                           bfl: { base_url: "\(bfl.baseURL)", poll_interval_ms: 10 },
                           midjourney: { base_url: "\(midjourney.baseURL)", poll_interval_ms: 10 } },
              attestation: { attested_by: "derived tests", attested_at: "2026-01-01" },
              health: { failure_threshold: 100 } }
            """)
        let settings = try Configuration.load(path: host.paths.config)
        let runtime = HostRuntime(paths: host.paths, configuration: settings, log: host.log,
                                  secrets: EnvironmentSecrets(environment: Self.secrets))
        runtime.plugins.rescan()
        XCTAssertEqual(runtime.plugins.records.map(\.status), ["loaded", "loaded", "loaded", "loaded"])
        service = GenerationService(runtime: runtime, catalog: try SQLiteCatalog(path: host.paths.catalog))
        let r = JobRunner(service: service)
        await r.start()
        runner = r
    }

    override func tearDown() async throws {
        await runner?.stop(grace: 1)
        runner = nil
        if let host {
            for line in host.lines.lines { XCTAssertFalse(line.contains(Self.tokenPrefix), "key in log: \(line)") }
        }
        host = nil
    }

    /// The derived image: a child of `source`, its cost on its job and in the ledger.
    func assertDerived(_ image: ImageRecord, from source: ImageRecord, kind: String, cost: Double,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(image.parentID, source.imageID, file: file, line: line)
        XCTAssertEqual(image.extra["kind"], kind, file: file, line: line)
        let job = try XCTUnwrap(try service.catalog.job(try XCTUnwrap(image.jobID)), file: file, line: line)
        XCTAssertEqual(try XCTUnwrap(job.costUSD, file: file, line: line), cost, accuracy: 1e-9, file: file, line: line)
        let ledger = try service.catalog.ledger(since: nil).filter { $0.jobID == job.id }
        XCTAssertEqual(ledger.count, 1, file: file, line: line)
        XCTAssertEqual(ledger.first?.costUSD ?? -1, cost, accuracy: 1e-9, file: file, line: line)
    }

    func comfySource(width: Int = 512, height: Int = 384) async throws -> ImageRecord {
        try await finished(try service.enqueue(GenerationRequest(model: "comfyui-txt2img", prompt: "a lighthouse at dusk",
                                                                 width: width, height: height, seed: 7)))
    }

    func testReplicateVariesWithFluxDevAndUpscalesWithRealESRGAN() async throws {
        let source = try await comfySource()
        let varied = try await finished(try service.enqueueDerived(from: source.imageID, kind: .vary, model: "flux-dev", strength: 0.3))
        try assertDerived(varied, from: source, kind: "vary", cost: 0.025)
        XCTAssertEqual(varied.model, "flux-dev")
        let input = try XCTUnwrap(try replicate.events(named: "image_input").first)
        XCTAssertEqual(input["source"], [512, 384])
        XCTAssertEqual(input["strength"]?.number, 0.3)

        let upscaled = try await finished(try service.enqueueDerived(from: source.imageID, kind: .upscale, model: "real-esrgan", scale: 2))
        try assertDerived(upscaled, from: source, kind: "upscale", cost: 0.005)
        XCTAssertEqual(try storedSize(upscaled).0, 1024)
        XCTAssertEqual(try storedSize(upscaled).1, 768)
    }

    func testBFLKontextEditsAStoredImageAtBFLsReportedCost() async throws {
        let source = try await comfySource()
        let edited = try await finished(try service.enqueueDerived(from: source.imageID, kind: .vary, model: "flux-kontext-pro"))
        try assertDerived(edited, from: source, kind: "vary", cost: 0.04)
        XCTAssertEqual(try bfl.events(named: "image_input").first?["source"], [512, 384])
        XCTAssertEqual(try bfl.events(named: "image_input").first?["aspect_ratio"]?.string, "4:3")
    }

    func testComfyUIVariesAStoredImageThroughTheImg2ImgWorkflow() async throws {
        let source = try await comfySource()
        let varied = try await finished(try service.enqueueDerived(from: source.imageID, kind: .vary, model: "comfyui-img2img", strength: 0.5))
        try assertDerived(varied, from: source, kind: "vary", cost: 0)
        XCTAssertEqual(try storedSize(varied).0, 512)
        XCTAssertEqual(try storedSize(varied).1, 384)
        XCTAssertEqual(try comfy.events(named: "uploaded").count, 1)
        XCTAssertEqual(try comfy.events(named: "image_input").first?["denoise"]?.number, 0.5)
    }

    func testMidjourneyVariesAndUpscalesItsOwnImageThroughTheProxyActions() async throws {
        let source = try await finished(try service.enqueue(GenerationRequest(model: "midjourney-v6", prompt: "a paper boat",
                                                                              width: 1024, height: 1024)))
        let parentTask = try XCTUnwrap(try service.catalog.job(try XCTUnwrap(source.jobID))?.jobRef?["id"]?.string)
        let varied = try await finished(try service.enqueueDerived(from: source.imageID, kind: .vary, model: "midjourney-v6"))
        try assertDerived(varied, from: source, kind: "vary", cost: 0.12)
        let upscaled = try await finished(try service.enqueueDerived(from: source.imageID, kind: .upscale, model: "midjourney-v6", scale: 2))
        try assertDerived(upscaled, from: source, kind: "upscale", cost: 0.12)
        let changes = try midjourney.events(named: "change")
        XCTAssertEqual(changes.map { $0["action"]?.string }, ["VARIATION", "UPSCALE"])
        XCTAssertEqual(changes.map { $0["parent"]?.string }, [parentTask, parentTask])
        XCTAssertEqual(changes.map { $0["index"]?.number }, [1, 1], "output 0 is the first quadrant")
        XCTAssertEqual(try storedSize(upscaled).0, 512, "the upscaled image is the emulator's single upscaled file")
    }

    func testMidjourneyRefusesAnImageItDidNotMakeWithoutCallingTheProxy() async throws {
        let source = try await comfySource()
        let job = try await terminal(try service.enqueueDerived(from: source.imageID, kind: .vary, model: "midjourney-v6")[0].id)
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.errorMessage?.contains("image it made itself") ?? false, job.errorMessage ?? "")
        XCTAssertEqual(try midjourney.requests(kind: "create").count, 0)
    }
}
