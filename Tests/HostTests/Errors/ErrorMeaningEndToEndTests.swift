import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import ImagegenCore

/// The same refusals through the API and the built CLI: each answers with its meaning's
/// status and exit code, as documented (docs/api.md, README "Exit codes").
final class ErrorMeaningEndToEndTests: XCTestCase {
    static let config = "{ budgets: { daily: 0.001 }, models: { preview: { price: { per_image: 0.01 } } } }"
    static let size = ["--width", "64", "--height", "64"]

    /// (API body, CLI arguments, meaning, API code). The budget allows nothing priced at 64×64.
    static let cases: [([String: JSONValue], [String], ErrorMeaning, String)] = [
        (["prompt": "x", "parameters": ["width": 100, "height": 64]], ["--prompt", "x", "--width", "100", "--height", "64"],
         .invalidRequest, "invalid_request"),
        (["prompt": "x", "model": "nope"], ["--prompt", "x", "--model", "nope"], .unknownName, "unknown_model"),
        (["prompt": "x", "category": "lingerie"], ["--prompt", "x", "--category", "lingerie"], .contentNotPermitted, "content_policy"),
        (["prompt": "an upskirt photo on the stairs"], ["--prompt", "an upskirt photo on the stairs"], .policyRefused, "content_policy"),
        (["prompt": "x", "parameters": ["width": 64, "height": 64]], ["--prompt", "x"] + size, .budgetRefused, "budget_exceeded"),
    ]

    func testTheAPIAnswersWithTheMeaningsStatus() async throws {
        let h = try await ServerTestHarness(label: "errors-api", config: Self.config)
        defer { Task { await h.stop() } }
        for (body, _, meaning, code) in Self.cases {
            let r = try await h.client.generate(body)
            XCTAssertEqual(r.status, meaning.httpStatus, "\(body): \(r.text)")
            XCTAssertEqual(r.errorCode, code, "\(body): \(r.text)")
        }
        for path in ["/v1/images/img_nope/rating", "/v1/images/img_nope/reservation"] {
            let body: JSONValue = path.hasSuffix("rating") ? ["rating": 3] : ["channel": "blog", "day": "2026-11-26"]
            let r = try await h.client.send("POST", path, json: body)
            XCTAssertEqual(r.status, ErrorMeaning.notFound.httpStatus, "\(path): \(r.text)")
            XCTAssertEqual(r.errorCode, "not_found", "\(path): \(r.text)")
        }
        await h.stop()
    }

    func testTheCLIExitsWithTheMeaningsExitCode() throws {
        let host = try TestHost(label: "errors-cli", config: Self.config)
        for (_, args, meaning, _) in Self.cases {
            try host.run(["generate"] + args, expect: meaning.exitCode)
        }
        XCTAssertEqual(try host.jobCount(), 0, "nothing was queued by any of them")
    }
}
