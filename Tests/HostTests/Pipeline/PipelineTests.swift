import Foundation
import XCTest
@testable import Host
@testable import Crypto
@testable import ImagegenCore
@testable import Pipeline

/// The main job end to end through the library API with the Preview provider.
final class PipelineTests: XCTestCase {
    func testGenerationStoresImageSidecarAndCatalogRowThatAgree() async throws {
        let host = try TestHost(label: "pipeline")
        let generator = try host.generator()
        let records = try await generator.generateCustom(prompt: "a red teapot", negativePrompt: "blurry",
                                                         parameters: GenerationParameters(width: 128, height: 96, steps: 20, guidanceScale: 5, seed: 42))
        await generator.shutdown()
        XCTAssertEqual(records.count, 1)
        let r = records[0]
        // The file is where the layout says, and is the PNG the catalog describes.
        XCTAssertTrue(r.filePath.hasPrefix("content/product/"), r.filePath)
        XCTAssertTrue(r.filePath.hasSuffix("/\(r.imageID).png"))
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: host.paths.data + "/" + r.filePath))
        XCTAssertEqual(r.bytes, bytes.count)
        XCTAssertEqual(r.contentSHA256, SHA256Digest.of(bytes).hex)
        XCTAssertEqual(r.parameters, .init(width: 128, height: 96, steps: 20, guidanceScale: 5, seed: 42))
        XCTAssertEqual(r.metadata.cost, 0)
        XCTAssertEqual(r.metadata.apiUsed, "preview/preview-1")
        // The sidecar holds the same record as the catalog.
        let sidecar = try XCTUnwrap(generator.service.content.readSidecar(relativeImagePath: r.filePath))
        let row = try XCTUnwrap(try host.catalog().image(r.imageID))
        XCTAssertEqual(sidecar, row)
        let quality = try XCTUnwrap(row.qualityScore, "every stored image gets the automatic quality score")
        XCTAssertTrue((0...100).contains(quality), "\(quality)")
        XCTAssertEqual(sidecar.prompt, "a red teapot")
        XCTAssertEqual(sidecar.negativePrompt, "blurry")
        // The sidecar has the product's field names.
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath:
            host.paths.data + "/" + generator.service.content.sidecarPath(for: r.filePath)))) as? [String: Any])
        for key in ["image_id", "prompt", "negative_prompt", "model", "parameters", "category", "tags", "file_path", "metadata",
                    "status", "version", "parent_id", "content_sha256", "job_id"] {
            XCTAssertNotNil(json[key], "sidecar lacks \(key)")
        }
        let meta = try XCTUnwrap(json["metadata"] as? [String: Any])
        XCTAssertEqual(Set(meta.keys), ["generated_at", "api_used", "cost", "processing_time"])
    }

    func testVariationsGetDistinctRecordedSeeds() async throws {
        let host = try TestHost(label: "variations")
        let generator = try host.generator()
        let records = try await generator.generateCustom(prompt: "a lamp", parameters: GenerationParameters(width: 64, height: 64, seed: 100),
                                                         variations: 4)
        await generator.shutdown()
        XCTAssertEqual(Set(records.compactMap(\.parameters.seed)), [100, 101, 102, 103])
        XCTAssertEqual(Set(records.map(\.contentSHA256)).count, 4, "different seeds must give different images")
    }

    func testUnknownCostStaysNullThroughTheLedger() async throws {
        let host = try TestHost(label: "unknown-cost", config: #"{ models: { preview: { price_unknown: true } } }"#)
        let generator = try host.generator()
        let records = try await generator.generateCustom(prompt: "a chair", parameters: GenerationParameters(width: 64, height: 64))
        await generator.shutdown()
        XCTAssertNil(records[0].metadata.cost)
        let ledger = try host.catalog().ledger(since: nil)
        XCTAssertEqual(ledger.count, 1)
        XCTAssertNil(ledger[0].costUSD)
        XCTAssertEqual(ledger[0].source, "unknown")
        let job = try XCTUnwrap(try host.catalog().job(records[0].jobID!))
        XCTAssertNil(job.costUSD)
        // And through `imagegen costs`: unknown, never 0.
        let out = try host.cli(["costs", "--json"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let group = try XCTUnwrap((report["groups"] as? [[String: Any]])?.first)
        XCTAssertTrue(group["total_usd"] is NSNull, "total_usd must be null, got \(String(describing: group["total_usd"]))")
        XCTAssertEqual(group["unknown_cost_images"] as? Int, 1)
    }

    func testProviderReportedCostWinsOverThePriceRule() async throws {
        let host = try TestHost(label: "provider-cost",
                                config: #"{ providers: { preview: { cost_usd: 0.0123 } }, models: { preview: { price: { per_image: 0.5 } } } }"#)
        let generator = try host.generator()
        let records = try await generator.generateCustom(prompt: "a vase", parameters: GenerationParameters(width: 64, height: 64))
        await generator.shutdown()
        XCTAssertEqual(try XCTUnwrap(records[0].metadata.cost), 0.0123, accuracy: 1e-9)
        XCTAssertEqual(try host.catalog().ledger(since: nil).first?.source, "provider")
    }

    func testContentFilteredIsFinalAndNotRetriedElsewhere() async throws {
        let folder = TestEnvironment.temporaryDirectory("filtered-b")
        let second = try TestHost.compilePreviewVariant(id: "preview-b", into: folder)
        let log = folder + "/submits-b.log"
        let host = try TestHost(label: "filtered", extraPlugins: [second], config: """
            { providers: { preview: { filter_word: "forbidden", priority: 10 }, "preview-b": { submit_log: "\(log)" } } }
            """)
        let generator = try host.generator()
        let jobs = try await generator.submit(GenerationRequest(prompt: "a forbidden vase", width: 64, height: 64))
        let done = try await generator.waitUntilFinished(jobs)
        await generator.shutdown()
        XCTAssertEqual(done[0].state, .contentFiltered)
        XCTAssertEqual(done[0].pluginID, "preview")
        XCTAssertFalse(FileManager.default.fileExists(atPath: log), "a filtered job must never be sent to another provider")
        XCTAssertEqual(generator.service.health.state("preview/preview-1", now: Date()), .closed)
    }

    func testTheSameIdempotencyKeyReturnsTheJobsAlreadyQueued() throws {
        let host = try TestHost(label: "idempotent", config: "{ models: { preview: { price: { per_image: 0.01 } } }, budgets: { daily: 0.03 } }")
        let runtime = try HostRuntime.open(paths: host.paths, log: host.log)
        let service = GenerationService(runtime: runtime, catalog: try host.catalog())
        let first = try service.enqueue(GenerationRequest(prompt: "a cup", width: 64, height: 64, variations: 2), idempotencyKey: "slot/2026-11-25")
        let again = try service.enqueue(GenerationRequest(prompt: "a cup", width: 64, height: 64, variations: 2), idempotencyKey: "slot/2026-11-25")
        XCTAssertEqual(first.map(\.id), again.map(\.id))
        XCTAssertEqual(try host.catalog().jobs(state: .queued, batch: nil, limit: 10).count, 2)
        // The retry reserved nothing more: one more image still fits the $0.03 budget.
        XCTAssertEqual(try service.enqueue(GenerationRequest(prompt: "b", width: 64, height: 64)).count, 1)
    }
}
