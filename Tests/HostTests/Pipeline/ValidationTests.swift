import Foundation
import XCTest
@testable import Host
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Pipeline
@testable import PluginHost

/// Every rule of the request validator: the field, the value and the allowed range are named,
/// and nothing is queued.
final class ValidationTests: XCTestCase {
    var validator: RequestValidator!

    override func setUp() {
        var config = Configuration()
        config.attestation = nil
        let manifest = PluginManifest(
            id: "p", name: "P", version: "1", nsfwAllowed: false, threadSafe: true, idempotentSubmit: true, secrets: [],
            models: [.init(name: "m", providerModel: "m1", price: .perImage(0.01), capabilities: [], nsfwAllowed: false,
                           limits: SizeLimits(minSize: 64, maxSize: 1024, maxOutputs: 4), options: [:])])
        config.aliases = ["alias-m": "m"]
        validator = RequestValidator(configuration: config, models: ModelTable(manifests: [manifest], configuration: config))
    }

    func refusal(_ r: GenerationRequest, file: StaticString = #filePath, line: UInt = #line) -> ValidationError? {
        do {
            _ = try validator.validate(r)
            XCTFail("accepted \(r)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testValidRequestGetsDefaultsAndARecordedSeed() throws {
        let v = try validator.validate(GenerationRequest(model: "alias-m", prompt: "  a cup  ", width: 512, height: 512))
        XCTAssertEqual(v.model.name, "m")
        XCTAssertEqual(v.prompt, "a cup")
        XCTAssertNotNil(v.parameters.seed)
        XCTAssertEqual(v.parameters.steps, 30)
        XCTAssertEqual(v.category, "product")
    }

    func testEachFieldIsCheckedWithItsRange() {
        let cases: [(GenerationRequest, String)] = [
            (GenerationRequest(model: "nope", prompt: "x"), "model \"nope\" is not served"),
            (GenerationRequest(model: "m", prompt: "   "), "prompt: \"\" is not allowed: must not be empty"),
            (GenerationRequest(model: "m", prompt: String(repeating: "a", count: 2001)), "prompt: 2001 characters is not allowed: at most 2000"),
            (GenerationRequest(model: "m", prompt: "x", width: 100), "width: 100 is not allowed: a multiple of 8 within 64...1024 for model m"),
            (GenerationRequest(model: "m", prompt: "x", height: 2048), "height: 2048 is not allowed: a multiple of 8 within 64...1024"),
            (GenerationRequest(model: "m", prompt: "x", width: 0), "width: 0"),
            (GenerationRequest(model: "m", prompt: "x", width: 56), "width: 56"),
            (GenerationRequest(model: "m", prompt: "x", steps: 0), "steps: 0 is not allowed: within 1...150"),
            (GenerationRequest(model: "m", prompt: "x", steps: 151), "steps: 151"),
            (GenerationRequest(model: "m", prompt: "x", guidanceScale: -0.5), "guidance_scale: -0.5 is not allowed: within 0...30"),
            (GenerationRequest(model: "m", prompt: "x", guidanceScale: 30.5), "guidance_scale: 30.5"),
            (GenerationRequest(model: "m", prompt: "x", seed: -1), "seed: -1 is not allowed: within 0...4294967295"),
            (GenerationRequest(model: "m", prompt: "x", seed: 4_294_967_296), "seed: 4294967296"),
            (GenerationRequest(model: "m", prompt: "x", variations: 0), "variations: 0 is not allowed: within 1...16"),
            (GenerationRequest(model: "m", prompt: "x", variations: 17), "variations: 17"),
            (GenerationRequest(model: "m", prompt: "x", category: "cats"), "category \"cats\" is unknown"),
            (GenerationRequest(model: "m", prompt: "x", category: "lingerie"), "needs the operator's age-verification attestation"),
        ]
        for (request, expected) in cases {
            guard let e = refusal(request) else { continue }
            XCTAssertTrue(e.description.contains(expected), "\(e.description)\n  should contain: \(expected)")
        }
    }

    func testBoundariesAreAccepted() throws {
        for r in [GenerationRequest(model: "m", prompt: "x", width: 64, height: 1024, steps: 1, guidanceScale: 0, seed: 0, variations: 16),
                  GenerationRequest(model: "m", prompt: "x", steps: 150, guidanceScale: 30, seed: 4_294_967_295, variations: 1)] {
            XCTAssertNoThrow(try validator.validate(r))
        }
    }

    func testAdultCategoryNeedsAModelThatAllowsIt() {
        var config = Configuration()
        config.attestation = Attestation(attestedBy: "op", attestedAt: "2026-11-01")
        let manifest = PluginManifest(id: "p", name: "P", version: "1", nsfwAllowed: false, threadSafe: true, idempotentSubmit: true,
                                      secrets: [], models: [.init(name: "m", providerModel: "m1", price: nil, capabilities: [],
                                                                  nsfwAllowed: false, limits: SizeLimits(minSize: 64, maxSize: 1024, maxOutputs: 1), options: [:])])
        let v = RequestValidator(configuration: config, models: ModelTable(manifests: [manifest], configuration: config))
        XCTAssertThrowsError(try v.validate(GenerationRequest(model: "m", prompt: "x", category: "lingerie"))) { e in
            XCTAssertEqual(e as? ValidationError, .noModelAllowsAdultContent(model: "m", category: "lingerie"))
        }
    }

    func testNothingIsQueuedForAnInvalidRequest() async throws {
        let host = try TestHost(label: "invalid")
        let generator = try host.generator()
        do {
            _ = try await generator.submit(GenerationRequest(model: "preview", prompt: "x", width: 63))
            XCTFail("accepted")
        } catch {}
        await generator.shutdown()
        XCTAssertEqual(try host.catalog().jobs(state: nil, batch: nil, limit: 10).count, 0)
        let cli = try host.cli(["generate", "--prompt", "x", "--steps", "500"])
        XCTAssertEqual(cli.status, 2)
        XCTAssertTrue(cli.stderr.contains("steps: 500 is not allowed: within 1...150"), cli.stderr)
    }
}
