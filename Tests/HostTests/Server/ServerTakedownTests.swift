import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// `POST /v1/takedowns` and `GET /v1/takedowns`: the same takedown as the CLI, over the API.
final class ServerTakedownTests: XCTestCase {
    func testTakedownThroughTheAPIRemovesTheImageAndItsCopyAndIsListed() async throws {
        let h = try await ServerTestHarness(label: "srv-takedown", config: "{ imaging: { postProcessing: { automatic: false } } }")
        defer { Task { await h.stop() } }
        var ids: [String] = []
        for _ in 0..<2 {
            // The same prompt and seed twice: Preview makes identical bytes, an identical copy.
            let r = try await h.client.generate(["prompt": "a wooden chair", "parameters": ["width": 96, "height": 96, "seed": 4],
                                                 "category": "product", "wait": 30])
            XCTAssertEqual(r.status, 200, r.text)
            ids += (r.json?["images"]?.array ?? []).compactMap { $0["image_id"]?.string }
        }
        XCTAssertEqual(ids.count, 2)
        let missing = try await h.client.send("POST", "/v1/takedowns", json: ["image_id": .string(ids[0])])
        XCTAssertEqual(missing.status, 400, missing.text)
        let two = try await h.client.send("POST", "/v1/takedowns", json: ["image_id": .string(ids[0]), "sha256": "00", "reason": "r"])
        XCTAssertEqual(two.status, 400, two.text)
        let unknown = try await h.client.send("POST", "/v1/takedowns", json: ["image_id": "img_nope", "reason": "r"])
        XCTAssertEqual(unknown.status, 404, unknown.text)

        let done = try await h.client.send("POST", "/v1/takedowns", json: [
            "image_id": .string(ids[0]), "reason": "TAKE IT DOWN request", "requested_at": "2026-01-02T03:04:05Z"])
        XCTAssertEqual(done.status, 201, done.text)
        XCTAssertEqual(Set(done.json?["images"]?.array?.compactMap(\.string) ?? []), Set(ids), "the identical copy goes too")
        XCTAssertEqual(done.json?["requested_at"]?.string, "2026-01-02T03:04:05.000Z")
        XCTAssertNotNil(done.json?["completed_at"]?.string)
        let again = try await h.client.send("POST", "/v1/takedowns", json: ["image_id": .string(ids[1]), "reason": "r"])
        XCTAssertEqual(again.status, 409, again.text)
        XCTAssertEqual(again.json?["error"]?["code"]?.string, "already_taken_down")

        let listed = try await h.client.get("/v1/takedowns")
        XCTAssertEqual(listed.status, 200, listed.text)
        let rows = listed.json?["takedowns"]?.array ?? []
        XCTAssertEqual(rows.count, 1)
        XCTAssertGreaterThan(rows.first?["seconds_to_completion"]?.number ?? 0, 0)
        // Both copies answer 410 Gone with a message that says why, for the record and the file.
        for id in ids {
            for path in ["/v1/images/\(id)", "/v1/images/\(id)/file"] {
                let gone = try await h.client.get(path)
                XCTAssertEqual(gone.status, 410, "\(path): \(gone.text)")
                XCTAssertEqual(gone.json?["error"]?["code"]?.string, "taken_down", gone.text)
                XCTAssertTrue(gone.json?["error"]?["message"]?.string?.contains("was taken down") ?? false, gone.text)
            }
        }
        await h.stop()
    }
}
