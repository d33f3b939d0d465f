import Foundation
import ImagegenJSON
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Pipeline
@testable import PluginHost

/// `vary` and `upscale` through hosted providers against their emulators, starting from an
/// image a local A1111 made: Stability's sd3 `mode=image-to-image` (the image as a file part,
/// `strength`) and fast upscaler, OpenAI's `/v1/images/edits`. Also the adult-content rule:
/// the source's category decides, so an adult image is never sent to a provider whose terms
/// forbid adult content.
final class HostedDerivedImageTests: DerivedImageTestCase {
    var a1111: EmulatorProcess!
    var stability: EmulatorProcess!
    var openai: EmulatorProcess!
    var host: TestHost!

    override func setUp() async throws {
        a1111 = try sharedEmulator("a1111", token: "test-token-a1111")
        stability = try sharedEmulator("stability", token: "test-token-stability")
        openai = try sharedEmulator("openai", token: "test-token-openai")
        host = try TestHost(label: "hosted-derived", plugins: ["a1111", "stabilityai", "openai"], config: """
            { providers: { a1111: { base_url: "\(a1111.baseURL)", progress_interval_ms: 0 },
                           stabilityai: { base_url: "\(stability.baseURL)" },
                           openai: { base_url: "\(openai.baseURL)/v1" } },
              attestation: { attested_by: "derived tests", attested_at: "2026-01-01" },
              health: { failure_threshold: 100 } }
            """)
        let settings = try Configuration.load(path: host.paths.config)
        let runtime = HostRuntime(paths: host.paths, configuration: settings, log: host.log,
                                  secrets: EnvironmentSecrets(environment: ["STABILITY_API_KEY": "test-token-stability",
                                                                                    "OPENAI_API_KEY": "test-token-openai"]))
        runtime.plugins.rescan()
        XCTAssertEqual(runtime.plugins.records.map(\.status), ["loaded", "loaded", "loaded"])
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

    func testSD3VariesAndFastUpscalerEnlargesAStoredImage() async throws {
        let source = try await finished(try service.enqueue(GenerationRequest(
            model: "a1111-sd", prompt: "a lighthouse at dusk", width: 640, height: 512, seed: 7)))

        let varied = try await finished(try service.enqueueDerived(from: source.imageID, kind: .vary, model: "sd3.5-large", strength: 0.3))
        XCTAssertEqual(varied.parentID, source.imageID)
        XCTAssertEqual(varied.model, "sd3.5-large")
        XCTAssertEqual(varied.extra["kind"], "vary")
        XCTAssertEqual(try storedSize(varied).0, 640)
        XCTAssertEqual(try storedSize(varied).1, 512)
        let event = try XCTUnwrap(try stability.events(named: "image-to-image").first)
        XCTAssertEqual(event["source"], [640, 512])
        XCTAssertEqual(event["strength"]?.number, 0.3)
        let form = try XCTUnwrap(try stability.requests(kind: "create").last?["form"])
        XCTAssertEqual(form["mode"]?.string, "image-to-image")
        XCTAssertEqual(form["model"]?.string, "sd3.5-large")
        XCTAssertNil(form["aspect_ratio"], "aspect_ratio is refused in image-to-image")

        let upscaled = try await finished(try service.enqueueDerived(from: source.imageID, kind: .upscale,
                                                                     model: "stable-fast-upscale", scale: 4))
        XCTAssertEqual(upscaled.parentID, source.imageID)
        XCTAssertEqual(upscaled.extra["kind"], "upscale")
        XCTAssertEqual(try storedSize(upscaled).0, 2560)
        XCTAssertEqual(try storedSize(upscaled).1, 2048)
        XCTAssertEqual(try stability.events(named: "upscaled").first?["source"], [640, 512])
    }

    func testOpenAIVariesThroughImagesEditsAndCannotUpscale() async throws {
        let source = try await finished(try service.enqueue(GenerationRequest(
            model: "a1111-sd", prompt: "a lighthouse at dusk", width: 1024, height: 1024, seed: 7)))
        let varied = try await finished(try service.enqueueDerived(from: source.imageID, kind: .vary, model: "gpt-image-1", strength: 0.3))
        XCTAssertEqual(varied.parentID, source.imageID)
        XCTAssertEqual(varied.model, "gpt-image-1")
        XCTAssertEqual(varied.extra["kind"], "vary")
        let edit = try XCTUnwrap(try openai.events(named: "edit").first)
        XCTAssertEqual(edit["source"], [1024, 1024])
        XCTAssertEqual(edit["input_fidelity"]?.string, "high", "strength 0.3 stays close to the input")
        XCTAssertEqual(try openai.requests(kind: "create").count, 1)
        XCTAssertThrowsError(try service.enqueueDerived(from: source.imageID, kind: .upscale, model: "gpt-image-1")) { error in
            XCTAssertEqual((error as? ValidationError)?.errorCode, "capability_missing", "\(error)")
        }
    }

    func testFastUpscalerRefusesAnyScaleButFourWithoutCallingStability() async throws {
        let source = try await finished(try service.enqueue(GenerationRequest(model: "a1111-sd", prompt: "a kite", width: 128, height: 128)))
        let job = try await terminal(try service.enqueueDerived(from: source.imageID, kind: .upscale, model: "stable-fast-upscale", scale: 2)[0].id)
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.errorMessage?.contains("4x") ?? false, job.errorMessage ?? "")
        XCTAssertEqual(try stability.requests(kind: "create").count, 0)
    }

    func testTextOnlyModelIsRefusedNamingTheModelsThatCan() async throws {
        let source = try await finished(try service.enqueue(GenerationRequest(model: "a1111-sd", prompt: "a kite", width: 128, height: 128)))
        XCTAssertThrowsError(try service.enqueueDerived(from: source.imageID, kind: .vary, model: "stable-image-core")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("sd3.5-large") && text.contains("a1111-sd"), text)
        }
    }

    /// Adult-content rules apply to vary/upscale exactly as to generation: the source image's
    /// category decides, and a provider whose terms forbid adult content never receives it.
    func testAdultSourceImageIsNeverSentToAProviderThatForbidsAdultContent() async throws {
        let source = try await finished(try service.enqueue(GenerationRequest(
            model: "a1111-sd", prompt: "a portrait in soft window light", width: 512, height: 512, category: "lingerie")))
        XCTAssertEqual(source.category, "lingerie")
        for (kind, model) in [(GenerationKind.vary, "sd3.5-large"), (.upscale, "stable-fast-upscale"), (.vary, "gpt-image-1")] {
            XCTAssertThrowsError(try service.enqueueDerived(from: source.imageID, kind: kind, model: model, scale: kind == .upscale ? 4 : nil)) { error in
                XCTAssertEqual(error as? ValidationError, .noModelAllowsAdultContent(model: model, category: "lingerie"), "\(error)")
            }
        }
        XCTAssertEqual(try stability.requests(kind: "create").count, 0, "an adult source image reached Stability")
        XCTAssertEqual(try openai.requests(kind: "create").count, 0, "an adult source image reached OpenAI")
        // The same image may be varied where adult content is allowed: the rule is the category's, not a blanket ban.
        let varied = try await finished(try service.enqueueDerived(from: source.imageID, kind: .vary, model: "a1111-sd"))
        XCTAssertEqual(varied.category, "lingerie")
        XCTAssertEqual(varied.parentID, source.imageID)
    }
}
