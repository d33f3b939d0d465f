import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// `GET /v1/costs` and `GET /v1/stats` answer what `imagegen costs --json` and `imagegen stats
/// --json` print (one computation).
final class ServerMoneyTests: XCTestCase {
    static let config = """
        { models: { preview: { price: { per_image: 0.01 } } }, budgets: { categories: { product: { daily: 5 } } },
          imaging: { postProcessing: { automatic: false } } }
        """

    func testCostsAndStatsAnswerWhatTheCLIPrints() async throws {
        let h = try await ServerTestHarness(label: "srv-money", config: ServerMoneyTests.config)
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "a quiet harbour at dawn", "parameters": ["width": 64, "height": 64],
                                             "variations": 2, "category": "product", "wait": 30])
        XCTAssertEqual(r.status, 200, r.text)

        let costs = try await h.client.get("/v1/costs?by=category")
        XCTAssertEqual(costs.status, 200, costs.text)
        XCTAssertEqual(costs.json?["by"]?.string, "category")
        let group = try XCTUnwrap(costs.json?["groups"]?[0])
        XCTAssertEqual(group["key"]?.string, "product")
        XCTAssertEqual(group["images"]?.int, 2)
        XCTAssertEqual(try XCTUnwrap(group["total_usd"]?.number), 0.02, accuracy: 1e-9)
        XCTAssertEqual(costs.json?["budgets"]?[0]?["name"]?.string, "daily:product")
        XCTAssertEqual(try XCTUnwrap(costs.json?["budgets"]?[0]?["spent"]?.number), 0.02, accuracy: 1e-9)
        let cli = try h.host.cli(["costs", "--by", "category", "--json"])
        XCTAssertEqual(cli.status, 0, cli.stderr)
        XCTAssertEqual(JSONValue.parse(Array(cli.stdout.utf8))?["groups"], costs.json?["groups"], "the API and the CLI sum the same ledger")

        let stats = try await h.client.get("/v1/stats?by=provider")
        XCTAssertEqual(stats.status, 200, stats.text)
        let line = try XCTUnwrap(stats.json?["groups"]?[0])
        XCTAssertEqual(line["key"]?.string, "preview")
        XCTAssertEqual(line["attempts"]?.int, 2)
        XCTAssertEqual(line["succeeded"]?.int, 2)
        XCTAssertEqual(line["success_rate"]?.number, 1)
        XCTAssertEqual(try XCTUnwrap(line["cost_per_image_usd"]?.number), 0.01, accuracy: 1e-9)
        XCTAssertEqual(stats.json?["total"]?["key"]?.string, "all")
        XCTAssertEqual(stats.json?["since"], .null, "no window: null, not missing")
        let cliStats = try h.host.cli(["stats", "--by", "provider", "--json"])
        XCTAssertEqual(cliStats.status, 0, cliStats.stderr)
        XCTAssertEqual(JSONValue.parse(Array(cliStats.stdout.utf8))?["groups"], stats.json?["groups"])

        // A window after every job: nothing in it.
        let later = try await h.client.get("/v1/costs?since=\(Int(Date().timeIntervalSince1970) + 3600)")
        XCTAssertEqual(later.status, 200, later.text)
        XCTAssertEqual(later.json?["groups"]?.array?.count, 0)
        XCTAssertNotNil(later.json?["since"]?.string)
        await h.stop()
    }

    func testBadQueriesAreRefusedByName() async throws {
        let h = try await ServerTestHarness(label: "srv-money-errors")
        defer { Task { await h.stop() } }
        for (path, word) in [("/v1/costs?by=colour", "model, category, plugin, day"), ("/v1/stats?by=plugin", "provider"),
                             ("/v1/stats?since=yesterday", "ISO 8601"), ("/v1/costs?model=preview", "unknown filter")] {
            let r = try await h.client.get(path)
            XCTAssertEqual(r.status, 400, path)
            XCTAssertEqual(r.errorCode, "invalid_request", path)
            XCTAssertTrue(r.json?["error"]?["message"]?.string?.contains(word) ?? false, "\(path): \(r.text)")
        }
        await h.stop()
    }
}
