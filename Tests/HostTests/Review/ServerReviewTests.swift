import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import Security

/// Review through the API: approve and reject (single and bulk), the filters of the gallery,
/// cursor pages, the audit entries, and the security headers on every answer.
final class ServerReviewTests: XCTestCase {
    func testApproveRejectFiltersPagesAndAudit() async throws {
        let h = try await ServerTestHarness(label: "srv-review", config: "{ imaging: { postProcessing: { automatic: false } } }")
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "a wooden chair", "parameters": ["width": 64, "height": 64],
                                             "variations": 4, "category": "product", "wait": 30])
        XCTAssertEqual(r.status, 200, r.text)
        let ids = (r.json?["images"]?.array ?? []).compactMap { $0["image_id"]?.string }
        XCTAssertEqual(ids.count, 4)

        let approved = try await h.client.send("POST", "/v1/images/\(ids[0])/approve")
        XCTAssertEqual(approved.status, 200, approved.text)
        XCTAssertEqual(approved.json?["state"]?.string, "approved")
        XCTAssertEqual(approved.json?["reviewer"]?.string?.hasPrefix("loopback:"), true, approved.text)
        let noReason = try await h.client.send("POST", "/v1/images/\(ids[1])/reject", json: ["reason": ""])
        XCTAssertEqual(noReason.status, 400, noReason.text)
        let rejected = try await h.client.send("POST", "/v1/images/\(ids[1])/reject", json: ["reason": "six fingers"])
        XCTAssertEqual(rejected.status, 200, rejected.text)
        XCTAssertEqual(rejected.json?["reason"]?.string, "six fingers")
        let unknown = try await h.client.send("POST", "/v1/images/img_nope/approve")
        XCTAssertEqual(unknown.status, 404)
        let bulkBad = try await h.client.send("POST", "/v1/images/review", json: ["ids": [.string(ids[2]), "img_nope"], "decision": "approve"])
        XCTAssertEqual(bulkBad.status, 404, "all or none: \(bulkBad.text)")
        let bulk = try await h.client.send("POST", "/v1/images/review", json: ["ids": [.string(ids[2]), .string(ids[3])], "decision": "approve"])
        XCTAssertEqual(bulk.status, 200, bulk.text)
        XCTAssertEqual(bulk.json?["reviews"]?.array?.count, 2)
        _ = try await h.client.send("POST", "/v1/images/\(ids[0])/rating", json: ["rating": 5])
        _ = try await h.client.send("POST", "/v1/images/\(ids[2])/rating", json: ["rating": 2])

        func listed(_ query: String) async throws -> [String] {
            let answer = try await h.client.get("/v1/images?\(query)")
            XCTAssertEqual(answer.status, 200, "\(query): \(answer.text)")
            return answer.json?["images"]?.array?.compactMap { $0["image_id"]?.string } ?? []
        }
        let approvedTop = try await listed("review=approved&min_rating=4")
        XCTAssertEqual(approvedTop, [ids[0]])
        let rejectedOnly = try await listed("review=rejected")
        XCTAssertEqual(rejectedOnly, [ids[1]])
        let rated = try await listed("rated=true")
        XCTAssertEqual(Set(rated), [ids[0], ids[2]])
        let available = try await listed("available=true")
        XCTAssertEqual(Set(available), Set(ids).subtracting([ids[1]]), "a rejected image leaves the publishing pool")
        let bad = try await h.client.get("/v1/images?review=maybe")
        XCTAssertEqual(bad.status, 400)
        let badCursor = try await h.client.get("/v1/images?cursor=zzz!")
        XCTAssertEqual(badCursor.status, 400)

        // Records carry rating and review, in lists and in the detail.
        let detail = try await h.client.get("/v1/images/\(ids[1])")
        XCTAssertEqual(detail.json?["review"]?["state"]?.string, "rejected", detail.text)
        XCTAssertEqual(detail.json?["review"]?["reason"]?.string, "six fingers")
        XCTAssertEqual(detail.json?["rating"], .null)

        // Cursor pages: one image at a time, each once.
        var seen: [String] = []
        var path = "/v1/images?limit=1"
        for _ in 0..<10 {
            let page = try await h.client.get(path)
            seen += page.json?["images"]?.array?.compactMap { $0["image_id"]?.string } ?? []
            guard let next = page.json?["next_cursor"]?.string else { break }
            path = "/v1/images?limit=1&cursor=\(next)"
        }
        XCTAssertEqual(Set(seen), Set(ids))
        XCTAssertEqual(seen.count, 4)

        // Security headers, on a success and on an error alike.
        for answer in [detail, unknown] {
            XCTAssertEqual(answer.headers["x-content-type-options"], "nosniff")
            XCTAssertTrue(answer.headers["content-security-policy"]?.contains("frame-ancestors 'none'") ?? false)
            XCTAssertFalse(answer.headers["content-security-policy"]?.contains("unsafe-inline") ?? true)
        }
        await h.stop()

        let entries = try h.host.auditEntries()
        XCTAssertEqual(Set(entries.filter { $0.action == .imageApproval }.map(\.subject)), [ids[0], ids[2], ids[3]])
        let rejection = try XCTUnwrap(entries.first { $0.action == .imageRejection })
        XCTAssertEqual(rejection.subject, ids[1])
        XCTAssertEqual(rejection.details["reason"], "six fingers")
        XCTAssertEqual(entries.filter { $0.action == .imageRating }.count, 2)
    }

    func testTheServersOwnRefusalsCarryTheSecurityHeaders() async throws {
        let h = try await ServerTestHarness(label: "srv-headers", token: "test-token-0123456789")
        defer { Task { await h.stop() } }
        var anonymous = h.client
        anonymous.token = nil
        let refused = try await anonymous.get("/v1/models")
        XCTAssertEqual(refused.status, 401, "refused by the socket loop before any handler")
        XCTAssertEqual(refused.headers["x-content-type-options"], "nosniff")
        XCTAssertEqual(refused.headers["x-frame-options"], "DENY")
        await h.stop()
    }
}
