import Foundation
import XCTest
@testable import Host
@testable import Pipeline
@testable import PluginHost

/// The plugins built by Package.swift: they load through the ABI, and their models are the
/// product's catalog. Preview is deterministic.
final class BuiltPluginsTests: XCTestCase {
    func testAllFourPluginsLoadAndServeTheProductCatalog() throws {
        let host = try TestHost(label: "builtins", plugins: ["preview", "replicate", "midjourney", "stabilityai"])
        let runtime = try HostRuntime.open(paths: host.paths, log: host.log)
        XCTAssertEqual(runtime.plugins.records.map(\.status), ["loaded", "loaded", "loaded", "loaded"])
        let models = Dictionary(uniqueKeysWithValues: runtime.models.sortedEntries.map { ($0.name, ModelRecord(entry: $0)) })
        let expected: [(String, String, Double, Bool)] = [
            ("stable-diffusion-v2", "replicate", 0.05, true), ("realistic-vision-v2", "replicate", 0.08, true),
            ("midjourney-v5", "midjourney", 0.10, false), ("midjourney-v6", "midjourney", 0.12, false),
            ("stable-diffusion-xl", "stabilityai", 0.08, false), ("preview", "preview", 0, true),
        ]
        for (name, plugin, price, nsfw) in expected {
            let m = try XCTUnwrap(models[name], "model \(name) missing")
            XCTAssertEqual(m.plugin, plugin)
            XCTAssertEqual(try XCTUnwrap(m.costPerImage), price, accuracy: 1e-9)
            XCTAssertEqual(m.nsfwAllowed, nsfw, name)
        }
        XCTAssertTrue(models["stable-diffusion-v2"]!.providerModel.hasSuffix("db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf"))
        XCTAssertTrue(models["realistic-vision-v2"]!.providerModel.hasSuffix("a4a8bafd6089e1716b06057c42b19378250d008b80fe87caac5f36b5b8c8c3e5"))
        XCTAssertEqual(models["midjourney-v5"]!.providerModel, "5.2")
        XCTAssertEqual(models["midjourney-v6"]!.providerModel, "6.0")
    }

    func testModelsCommandReportsNullForUnknownPrices() throws {
        let host = try TestHost(label: "models-cli", config: "{ models: { preview: { price_unknown: true } } }")
        let out = try host.cli(["models", "--json"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]])
        let preview = try XCTUnwrap(rows.first { $0["name"] as? String == "preview" })
        XCTAssertTrue(preview["cost_per_image"] is NSNull)
        for key in ["name", "plugin", "provider_model", "cost_per_image", "capabilities", "nsfw_allowed"] {
            XCTAssertNotNil(preview[key], key)
        }
        let plugins = try host.cli(["plugins", "--json"])
        let prow = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(plugins.stdout.utf8)) as? [[String: Any]])?.first)
        XCTAssertEqual(prow["abi"] as? String, "1.0")
        XCTAssertEqual(prow["status"] as? String, "loaded")
        XCTAssertEqual(prow["models"] as? [String], ["preview"])
    }

    func fetchPreview(_ instance: PluginInstance, prompt: String, seed: Int, width: Int = 96, height: Int = 64) throws -> [UInt8] {
        let submitted = try instance.submit(["schema": 1, "job_id": "j", "model": "preview-1", "prompt": .string(prompt),
                                             "width": .number(Double(width)), "height": .number(Double(height)),
                                             "seed": .number(Double(seed)), "num_outputs": 1])
        let ref = try XCTUnwrap(submitted["ref"])
        let polled = try instance.poll(ref)
        XCTAssertEqual(polled["state"]?.string, "succeeded")
        return try instance.fetch(ref, index: 0)
    }

    func testPreviewIsDeterministic() throws {
        let host = try TestHost(label: "determinism")
        let runtime = try HostRuntime.open(paths: host.paths, log: host.log)
        let instance = try runtime.plugins.instance(forPlugin: "preview")
        let a = try fetchPreview(instance, prompt: "a teapot", seed: 1)
        let b = try fetchPreview(instance, prompt: "a teapot", seed: 1)
        let c = try fetchPreview(instance, prompt: "a teapot", seed: 2)
        let d = try fetchPreview(instance, prompt: "a kettle", seed: 1)
        XCTAssertEqual(a, b, "same inputs must give the same bytes")
        XCTAssertNotEqual(a, c, "a different seed must give different bytes")
        XCTAssertNotEqual(a, d, "a different prompt must give different bytes")
        XCTAssertEqual(ContentStore.sniffMIME(a), "image/png")
        guard case .success(let check) = ImageCheck.verify(a, declaredMIME: "image/png") else { return XCTFail("not a PNG") }
        XCTAssertEqual(check.width, 96)
        XCTAssertEqual(check.height, 64)
    }

    func testPreviewFailureKnobsAndErrorsCrossTheBoundaryAsStatuses() throws {
        let host = try TestHost(label: "knobs", config: "{ providers: { preview: { fail_every_n: 2, fail_status: 3 } } }")
        let runtime = try HostRuntime.open(paths: host.paths, log: host.log)
        let instance = try runtime.plugins.instance(forPlugin: "preview")
        _ = try fetchPreview(instance, prompt: "x", seed: 1)
        XCTAssertThrowsError(try fetchPreview(instance, prompt: "x", seed: 1)) { e in
            let error = e as? PluginCallError
            XCTAssertEqual(error?.status, .rateLimited)
            XCTAssertEqual(error?.retryAfterMilliseconds, 1000)
            XCTAssertTrue(error?.message.contains("injected failure") ?? false)
        }
        XCTAssertThrowsError(try instance.poll(["not": "a ref"])) { e in
            XCTAssertEqual((e as? PluginCallError)?.status, .invalidRequest)
        }
    }
}
