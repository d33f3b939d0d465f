import Foundation
import CatalogSQLite
import ImagegenJSON
import XCTest
@testable import Host

/// The images in generation answers are opened like every other read of the catalog.
final class ServerGenerationPromptTests: XCTestCase {
    /// With prompts encrypted at rest, the images in `POST /v1/generations` and `GET /v1/jobs/{id}`
    /// are opened like those of `GET /v1/images/{id}` (they once leaked the `enc:v1:` envelope).
    func testGenerationAnswersCarryReadablePrompts() async throws {
        let h = try await ServerTestHarness(label: "srv-prompts", config: "{ imaging: { postProcessing: { automatic: false } } }")
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "a lighthouse in fog", "negative_prompt": "people",
                                             "parameters": ["width": 64, "height": 64], "wait": 30])
        XCTAssertEqual(r.status, 200, r.text)
        let image = try XCTUnwrap(r.json?["images"]?[0])
        XCTAssertEqual(image["prompt"]?.string, "a lighthouse in fog")
        XCTAssertEqual(image["negative_prompt"]?.string, "people")
        let jobID = try XCTUnwrap(r.json?["jobs"]?[0]?["id"]?.string)
        let job = try await h.client.get("/v1/jobs/\(jobID)")
        XCTAssertEqual(job.json?["images"]?[0]?["prompt"]?.string, "a lighthouse in fog")
        let stored = try await h.client.get("/v1/images/\(try XCTUnwrap(image["image_id"]?.string))")
        XCTAssertEqual(stored.json?["prompt"], image["prompt"])
        let raw = try XCTUnwrap(try XCTUnwrap(h.server.catalog as? SQLiteCatalog).database.query("SELECT prompt FROM images").first?["prompt"]?.string)
        XCTAssertTrue(raw.hasPrefix("enc:v1:"), "the catalog keeps the envelope; only answers are opened")
        await h.stop()
    }
}
