import Foundation
import CatalogSQLite
import ImagegenJSON
import XCTest
@testable import Host

/// Ratings and reservations through the API: what a review or planning tool calls.
final class ServerCurationTests: XCTestCase {
    func testRatingsAndReservationsThroughTheAPI() async throws {
        let h = try await ServerTestHarness(label: "srv-curation", config: "{ imaging: { postProcessing: { automatic: false } } }")
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "a wooden chair", "parameters": ["width": 64, "height": 64],
                                             "variations": 2, "category": "product", "wait": 30])
        XCTAssertEqual(r.status, 200, r.text)
        let ids = (r.json?["images"]?.array ?? []).compactMap { $0["image_id"]?.string }
        XCTAssertEqual(ids.count, 2)

        let rated = try await h.client.send("POST", "/v1/images/\(ids[0])/rating", json: ["rating": 4])
        XCTAssertEqual(rated.status, 200, rated.text)
        XCTAssertEqual(rated.json?["rating"]?.int, 4)
        XCTAssertEqual(try XCTUnwrap(h.server.catalog as? SQLiteCatalog).rating(imageID: ids[0]), 4)
        let outOfRange = try await h.client.send("POST", "/v1/images/\(ids[0])/rating", json: ["rating": 9])
        XCTAssertEqual(outOfRange.status, 400)
        XCTAssertTrue(outOfRange.json?["error"]?["message"]?.string?.contains("from 1 to 5") ?? false, outOfRange.text)
        let unknown = try await h.client.send("POST", "/v1/images/img_nope/rating", json: ["rating": 3])
        XCTAssertEqual(unknown.status, 404)

        let held = try await h.client.send("POST", "/v1/images/\(ids[0])/reservation", json: ["channel": "instagram", "day": "2026-11-26"])
        XCTAssertEqual(held.status, 200, held.text)
        XCTAssertEqual(held.json?["channel"]?.string, "instagram")
        let twice = try await h.client.send("POST", "/v1/images/\(ids[0])/reservation", json: ["channel": "blog", "day": "2026-11-27"])
        XCTAssertEqual(twice.status, 409)
        XCTAssertEqual(twice.json?["error"]?["code"]?.string, "already_reserved")
        let badDay = try await h.client.send("POST", "/v1/images/\(ids[1])/reservation", json: ["channel": "blog", "day": "tomorrow"])
        XCTAssertEqual(badDay.status, 400)

        let available = try await h.client.get("/v1/images?available=true&category=product")
        XCTAssertEqual(available.status, 200, available.text)
        XCTAssertEqual(available.json?["images"]?.array?.compactMap { $0["image_id"]?.string }, [ids[1]], "the held image is not offered")
        let mixed = try await h.client.get("/v1/images?available=true&model=preview")
        XCTAssertEqual(mixed.json?["images"]?.array?.compactMap { $0["image_id"]?.string }, [ids[1]], "available combines with every filter")
        let maybe = try await h.client.get("/v1/images?available=maybe")
        XCTAssertEqual(maybe.status, 400)

        let released = try await h.client.send("DELETE", "/v1/images/\(ids[0])/reservation")
        XCTAssertEqual(released.status, 200, released.text)
        XCTAssertNotNil(released.json?["released_at"]?.string)
        let releasedTwice = try await h.client.send("DELETE", "/v1/images/\(ids[0])/reservation")
        XCTAssertEqual(releasedTwice.status, 404)
        let again = try await h.client.get("/v1/images?available=true")
        XCTAssertEqual(Set(again.json?["images"]?.array?.compactMap { $0["image_id"]?.string } ?? []), Set(ids))
        await h.stop()
    }
}
