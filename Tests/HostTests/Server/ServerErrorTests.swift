import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// Errors keep one shape, `{ "error": { "code", "message" } }`, with codes a client can act on.
final class ServerErrorTests: XCTestCase {
    func assertErrorShape(_ r: ServerTestResponse, _ status: Int, _ code: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, status, r.text, file: file, line: line)
        XCTAssertEqual(r.errorCode, code, r.text, file: file, line: line)
        XCTAssertFalse(r.json?["error"]?["message"]?.string?.isEmpty ?? true, "the error has a message", file: file, line: line)
        XCTAssertEqual(r.json?.object?.keys.sorted(), ["error"], file: file, line: line)
        XCTAssertEqual(r.headers["content-type"], "application/json", file: file, line: line)
    }

    func testRoutingAndBodyErrors() async throws {
        let h = try await ServerTestHarness(label: "srv-errors")
        defer { Task { await h.stop() } }
        assertErrorShape(try await h.client.get("/v2/nothing"), 404, "not_found")
        let wrongMethod = try await h.client.send("PUT", "/v1/models")
        assertErrorShape(wrongMethod, 405, "method_not_allowed")
        XCTAssertEqual(wrongMethod.headers["allow"], "GET, HEAD")
        assertErrorShape(try await h.client.send("GET", "/v1/generations"), 405, "method_not_allowed")
        assertErrorShape(try await h.client.send("POST", "/v1/generations", body: Data("{\"prompt\": ".utf8),
                                                 headers: ["Content-Type": "application/json"]), 400, "invalid_json")
        assertErrorShape(try await h.client.send("POST", "/v1/generations", body: Data(),
                                                 headers: ["Content-Type": "application/json"]), 400, "invalid_json")
        assertErrorShape(try await h.client.send("POST", "/v1/generations", body: Data("prompt=x".utf8),
                                                 headers: ["Content-Type": "application/x-www-form-urlencoded"]), 415, "unsupported_media_type")
        assertErrorShape(try await h.client.get("/v1/jobs/job_missing"), 404, "not_found")
        assertErrorShape(try await h.client.get("/v1/jobs?state=sleeping"), 400, "invalid_request")
        assertErrorShape(try await h.client.get("/v1/jobs?limit=0"), 400, "invalid_request")
        await h.stop()
    }

    func testValidationErrorsNameTheField() async throws {
        let h = try await ServerTestHarness(label: "srv-validation", config: "{ budgets: { daily: 0.001 }, models: { preview: { price: { per_image: 0.01 } } } }")
        defer { Task { await h.stop() } }
        let cases: [([String: JSONValue], Int, String, String)] = [
            ([:], 400, "invalid_request", "prompt"),
            (["prompt": "x", "modle": "preview"], 400, "invalid_request", "modle"),
            (["prompt": 5], 400, "invalid_request", "prompt"),
            (["prompt": "x", "parameters": ["width": 100]], 400, "invalid_request", "width"),
            (["prompt": "x", "parameters": ["width": 64.5]], 400, "invalid_request", "parameters.width"),
            (["prompt": "x", "parameters": ["colour": 1]], 400, "invalid_request", "parameters.colour"),
            (["prompt": "x", "variations": 99], 400, "invalid_request", "variations"),
            (["prompt": "x", "priority": 5000], 400, "invalid_request", "priority"),
            (["prompt": "x", "deadline": "2001-01-01T00:00:00Z"], 400, "invalid_request", "deadline"),
            (["prompt": "x", "deadline": "soon"], 400, "invalid_request", "deadline"),
            (["prompt": "x", "wait": 9999], 400, "invalid_request", "wait"),
            (["prompt": "x", "tags": [1, 2]], 400, "invalid_request", "tags"),
            (["prompt": "x", "model": "nope"], 400, "unknown_model", "nope"),
            (["prompt": "x", "category": "weather"], 400, "unknown_category", "weather"),
            (["prompt": "x", "category": "lingerie"], 403, "content_policy", "attestation"),
            (["prompt": "x", "parameters": ["width": 64, "height": 64]], 402, "budget_exceeded", "daily"),
        ]
        for (body, status, code, mention) in cases {
            let r = try await h.client.generate(body)
            assertErrorShape(r, status, code)
            XCTAssertTrue(r.json?["error"]?["message"]?.string?.contains(mention) ?? false, "\(body): \(r.text)")
        }
        // Nothing was queued by any of them.
        let queued = try await h.client.get("/v1/jobs").json?["jobs"]?.array?.count
        XCTAssertEqual(queued, 0)
        await h.stop()
    }

    func testATokenIsRequiredWhenConfiguredAndTheRightOneIsAccepted() async throws {
        let token = "test-token-0123456789abcdef"
        let h = try await ServerTestHarness(label: "srv-auth", token: token)
        defer { Task { await h.stop() } }
        var anonymous = h.client
        anonymous.token = nil
        for path in ["/healthz", "/v1/models", "/metrics", "/v1/nope"] {
            let r = try await anonymous.get(path)
            XCTAssertEqual(r.status, 401, path)
            XCTAssertEqual(r.errorCode, "unauthorized", path)
        }
        var wrong = h.client
        wrong.token = "wrong-token-0123456789abcdef"
        let refused = try await wrong.get("/v1/models")
        XCTAssertEqual(refused.status, 401)
        let accepted = try await h.client.get("/v1/models")
        XCTAssertEqual(accepted.status, 200)
        let generated = try await h.client.generate(["prompt": "x", "parameters": ["width": 64, "height": 64], "wait": 30])
        XCTAssertEqual(generated.status, 200)
        XCTAssertGreaterThanOrEqual(h.server.httpStatistics.requestsUnauthorized, 5)
        await h.stop()
    }
}
