import Foundation
import ImagegenJSON
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Pipeline
@testable import PluginHost

/// `images vary` and `images upscale` through the host against the A1111 emulator: the source
/// image is read from the content store and sent (img2img / extra-single-image), the result is
/// stored as the source's next version.
final class A1111DerivedImageTests: DerivedImageTestCase {
    var a1111: EmulatorProcess!
    var host: TestHost!

    override func setUp() async throws {
        a1111 = try sharedEmulator("a1111", token: "test-token-a1111")
        host = try TestHost(label: "a1111-derived", plugins: ["a1111"], config: """
            { providers: { a1111: { base_url: "\(a1111.baseURL)", progress_interval_ms: 0 } }, health: { failure_threshold: 100 } }
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

    func testVaryAndUpscaleStoreNewVersionsOfTheSourceImage() async throws {
        let source = try await finished(try service.enqueue(GenerationRequest(
            model: "a1111-sd", prompt: "a lighthouse at dusk", width: 256, height: 192, seed: 7)))
        XCTAssertEqual(try storedSize(source).0, 256)

        let varied = try await finished(try service.enqueueDerived(from: source.imageID, kind: .vary, strength: 0.4))
        XCTAssertEqual(varied.parentID, source.imageID)
        XCTAssertEqual(varied.version, source.version + 1)
        XCTAssertEqual(varied.extra["kind"], "vary")
        XCTAssertEqual(try storedSize(varied).0, 256)
        XCTAssertEqual(try storedSize(varied).1, 192)
        let img2img = try a1111.events(named: "img2img")
        XCTAssertEqual(img2img.count, 1)
        XCTAssertEqual(img2img.first?["source"], [256, 192])
        XCTAssertEqual(img2img.first?["strength"]?.number, 0.4)

        let upscaled = try await finished(try service.enqueueDerived(from: source.imageID, kind: .upscale, scale: 2))
        XCTAssertEqual(upscaled.parentID, source.imageID)
        XCTAssertEqual(upscaled.extra["kind"], "upscale")
        XCTAssertEqual(upscaled.parameters.width, 512)
        let (w, h) = try storedSize(upscaled)
        XCTAssertEqual(w, 512)
        XCTAssertEqual(h, 384)
        XCTAssertEqual(try a1111.events(named: "upscaled").first?["source"], [256, 192])
    }

    func testAlteredSourceFileIsNeverSent() async throws {
        let source = try await finished(try service.enqueue(GenerationRequest(model: "a1111-sd", prompt: "a red barn", width: 128, height: 128)))
        let path = service.content.absolute(source.filePath)
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        bytes[bytes.count - 20] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: path))
        let jobs = try service.enqueueDerived(from: source.imageID, kind: .upscale)
        await runner?.wake()
        let end = Date().addingTimeInterval(20)
        var job = try XCTUnwrap(try service.catalog.job(jobs[0].id))
        while !job.state.isTerminal && Date() < end {
            try await Task.sleep(nanoseconds: 20_000_000)
            job = try XCTUnwrap(try service.catalog.job(jobs[0].id))
        }
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "source_image")
        XCTAssertTrue(job.errorMessage?.contains("SHA-256") ?? false, job.errorMessage ?? "")
        XCTAssertEqual(try a1111.events(named: "upscaled").count, 0)
    }

    func testOutOfRangeStrengthAndScaleAreRefusedBeforeQueuing() async throws {
        let source = try await finished(try service.enqueue(GenerationRequest(model: "a1111-sd", prompt: "a kite", width: 128, height: 128)))
        XCTAssertThrowsError(try service.enqueueDerived(from: source.imageID, kind: .vary, strength: 1.5)) { error in
            XCTAssertEqual(error as? ValidationError, .field("strength", value: "1.5", allowed: "within 0...1 (0 keeps the image, 1 ignores it)"))
        }
        XCTAssertThrowsError(try service.enqueueDerived(from: source.imageID, kind: .upscale, scale: 8))
        XCTAssertThrowsError(try service.enqueueDerived(from: "img_missing", kind: .vary)) { error in
            XCTAssertEqual(error as? DerivedImageError, .unknownImage("img_missing"))
        }
    }
}
