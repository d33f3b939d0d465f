import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// Post-processing inside `imagegen serve`: derivatives follow every generated image in the
/// background, show up in `GET /v1/images/{id}` with their scores, are served like images, and
/// `POST /v1/images/{id}/process` adds a run.
final class ServerPostProcessingTests: XCTestCase {
    func testServeRendersDerivativesAndReprocessesOnRequest() async throws {
        let h = try await ServerTestHarness(label: "srv-pp", config: """
            { imaging: { profiles: { tiny: { sizes: [{ name: "icon", longEdge: 32 }], formats: { jpeg: { enabled: false } } } } } }
            """)
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "a green jug", "parameters": ["width": 96, "height": 64], "wait": 30])
        XCTAssertEqual(r.status, 200, r.text)
        let id = try XCTUnwrap(r.json?["images"]?[0]?["image_id"]?.string)

        var shown: JSONValue?
        try await h.eventually(20, "the derivatives of \(id) are stored") {
            shown = try await h.client.get("/v1/images/\(id)").json
            return shown?["derivatives"]?.array?.count == 6
        }
        let derivatives = shown?["derivatives"]?.array ?? []
        XCTAssertEqual(derivatives.compactMap { $0["variant"]?.string }, ["master", "master", "publish", "publish", "thumbnail", "thumbnail"])
        XCTAssertEqual(derivatives.compactMap { $0["format"]?.string }, ["jpeg", "webp", "jpeg", "webp", "jpeg", "webp"])
        XCTAssertTrue(derivatives.allSatisfy { $0["quality_score"]?.number != nil }, "\(derivatives)")
        XCTAssertEqual(shown?["post_processing"]?[0]?["trigger"]?.string, "automatic")
        XCTAssertNotNil(shown?["quality"]?["components"]?["sharpness"]?.number, "the original's whole report")

        let webp = try XCTUnwrap(derivatives[1]["image_id"]?.string)
        let file = try await h.client.get("/v1/images/\(webp)/file")
        XCTAssertEqual(file.status, 200)
        XCTAssertEqual(file.headers["content-type"], "image/webp")

        let again = try await h.client.send("POST", "/v1/images/\(id)/process", json: ["profile": "tiny"])
        XCTAssertEqual(again.status, 200, again.text)
        XCTAssertEqual(again.json?["run"]?["run"]?.int, 2)
        XCTAssertEqual(again.json?["derivatives"]?.array?.count, 1)
        XCTAssertEqual(again.json?["derivatives"]?[0]?["width"]?.int, 32)
        XCTAssertEqual(again.json?["derivatives"]?[0]?["height"]?.int, 21)

        let badProfile = try await h.client.send("POST", "/v1/images/\(id)/process", json: ["profile": "nope"])
        XCTAssertEqual(badProfile.status, 400)
        XCTAssertEqual(badProfile.json?["error"]?["code"]?.string, "unknown_profile")
        let notOriginal = try await h.client.send("POST", "/v1/images/\(webp)/process", json: Optional<JSONValue>.none)
        XCTAssertEqual(notOriginal.status, 400)
        XCTAssertEqual(notOriginal.json?["error"]?["code"]?.string, "not_an_original")
        // Derivatives are rated and reserved through their original.
        let ratedDerivative = try await h.client.send("POST", "/v1/images/\(webp)/rating", json: ["rating": 5])
        XCTAssertEqual(ratedDerivative.status, 400)
        XCTAssertEqual(ratedDerivative.json?["error"]?["code"]?.string, "not_an_original")
        let heldDerivative = try await h.client.send("POST", "/v1/images/\(webp)/reservation", json: ["channel": "blog", "day": "2026-11-26"])
        XCTAssertEqual(heldDerivative.status, 400)
        XCTAssertEqual(heldDerivative.json?["error"]?["code"]?.string, "not_an_original")
        XCTAssertTrue(heldDerivative.json?["error"]?["message"]?.string?.contains("reserve its original \(id)") ?? false, heldDerivative.text)
        let missing = try await h.client.send("POST", "/v1/images/img_nope/process", json: Optional<JSONValue>.none)
        XCTAssertEqual(missing.status, 404)
        await h.stop()
    }
}
