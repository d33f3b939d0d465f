import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import Operations

final class MetricsRegistryTests: XCTestCase {
    func testExpositionMatchesTheFormatByteForByte() throws {
        let registry = MetricsRegistry()
        let requests = try registry.counter("imagegen_requests_total", help: "Generation requests received.",
                                            labels: ["provider", "outcome"])
        requests.increment(by: 1027, labels: ["provider": "replicate", "outcome": "succeeded"])
        requests.increment(by: 3, labels: ["provider": "replicate", "outcome": "failed"])
        let remaining = try registry.gauge("imagegen_budget_remaining_usd", help: "Left in the budget.\nSecond line \\ ok",
                                           labels: ["budget"])
        remaining.set(2.5, labels: ["budget": "daily \"main\"\n\\x"])
        let duration = try registry.histogram("imagegen_generation_duration_seconds", help: "Duration.",
                                              labels: ["provider"], buckets: [0.5, 1, 5])
        for v in [0.2, 0.5, 0.7, 3, 9] { duration.observe(v, labels: ["provider": "stability"]) }

        let expected = """
        # HELP imagegen_budget_remaining_usd Left in the budget.\\nSecond line \\\\ ok
        # TYPE imagegen_budget_remaining_usd gauge
        imagegen_budget_remaining_usd{budget="daily \\"main\\"\\n\\\\x"} 2.5
        # HELP imagegen_generation_duration_seconds Duration.
        # TYPE imagegen_generation_duration_seconds histogram
        imagegen_generation_duration_seconds_bucket{provider="stability",le="0.5"} 2
        imagegen_generation_duration_seconds_bucket{provider="stability",le="1"} 3
        imagegen_generation_duration_seconds_bucket{provider="stability",le="5"} 4
        imagegen_generation_duration_seconds_bucket{provider="stability",le="+Inf"} 5
        imagegen_generation_duration_seconds_sum{provider="stability"} 13.4
        imagegen_generation_duration_seconds_count{provider="stability"} 5
        # HELP imagegen_requests_total Generation requests received.
        # TYPE imagegen_requests_total counter
        imagegen_requests_total{provider="replicate",outcome="failed"} 3
        imagegen_requests_total{provider="replicate",outcome="succeeded"} 1027

        """
        XCTAssertEqual(registry.exposition(), expected)
    }

    func testValueFormatting() {
        XCTAssertEqual(PrometheusText.formatValue(3), "3")
        XCTAssertEqual(PrometheusText.formatValue(-2), "-2")
        XCTAssertEqual(PrometheusText.formatValue(0.1), "0.1")
        XCTAssertEqual(PrometheusText.formatValue(.infinity), "+Inf")
        XCTAssertEqual(PrometheusText.formatValue(-.infinity), "-Inf")
        XCTAssertEqual(PrometheusText.formatValue(.nan), "NaN")
        XCTAssertEqual(Double(PrometheusText.formatValue(1e-7)), 1e-7)
        XCTAssertEqual(PrometheusText.contentType, "text/plain; version=0.0.4; charset=utf-8")
    }

    func testCounterRefusesToGoDownAndNoLabelsMeansNoBraces() throws {
        let registry = MetricsRegistry()
        let c = try registry.counter("x_total", help: "x")
        XCTAssertFalse(c.increment(by: -1))
        XCTAssertFalse(c.increment(by: .nan))
        XCTAssertTrue(c.increment(by: 2))
        XCTAssertEqual(c.value(), 2)
        XCTAssertTrue(registry.exposition().contains("\nx_total 2\n"))
    }

    func testRegistrationRules() throws {
        let registry = MetricsRegistry()
        let a = try registry.counter("imagegen_a_total", help: "a", labels: ["model"])
        let again = try registry.counter("imagegen_a_total", help: "a", labels: ["model"])
        XCTAssertTrue(a === again, "the same declaration returns the same family")
        XCTAssertThrowsError(try registry.gauge("imagegen_a_total", help: "a", labels: ["model"])) {
            XCTAssertEqual($0 as? MetricsRegistryError, .conflictingRegistration("imagegen_a_total"))
        }
        XCTAssertThrowsError(try registry.counter("imagegen:a", help: "a"))
        XCTAssertThrowsError(try registry.counter("1abc", help: "a"))
        XCTAssertThrowsError(try registry.counter("ok_total", help: "a", labels: ["__reserved"]))
        XCTAssertThrowsError(try registry.counter("ok_total", help: "a", labels: ["a-b"]))
        XCTAssertThrowsError(try registry.counter("ok_total", help: "a", labels: ["a", "a"]))
        XCTAssertThrowsError(try registry.histogram("h", help: "h", labels: ["le"], buckets: [1]))
        XCTAssertThrowsError(try registry.histogram("h_count", help: "h", buckets: [1]))
        XCTAssertThrowsError(try registry.histogram("h", help: "h", buckets: [2, 1]))
        XCTAssertThrowsError(try registry.histogram("h", help: "h", buckets: []))
        XCTAssertThrowsError(try registry.histogram("h", help: "h", buckets: [1, .infinity]))
        _ = try registry.histogram("lat", help: "h", buckets: [1])
        XCTAssertThrowsError(try registry.gauge("lat_sum", help: "clash"), "a series name a histogram writes is taken")
    }

    func testConcurrentUpdatesAreAllCounted() async throws {
        let registry = MetricsRegistry()
        let c = try registry.counter("hits_total", help: "h", labels: ["worker"])
        let h = try registry.histogram("lat_seconds", help: "h", buckets: [1, 2])
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in 0..<1000 {
                        c.increment(labels: ["worker": String(worker % 2)])
                        h.observe(Double(i % 3))
                    }
                }
            }
        }
        XCTAssertEqual(c.value(labels: ["worker": "0"]) + c.value(labels: ["worker": "1"]), 8000)
        XCTAssertEqual(h.snapshot().count, 8000)
        XCTAssertTrue(registry.exposition().contains("lat_seconds_bucket{le=\"+Inf\"} 8000\n"))
    }

    func testHostMetricSetIsWellFormed() throws {
        let metrics = try HostMetrics(version: "9.9.9")
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        metrics.record(GenerationRecord(model: "sdxl", provider: "replicate", category: "feet", finishedAt: t,
                                        durationSeconds: 12, outcome: .succeeded, costUSD: 0.04,
                                        qualityScore: 71))
        metrics.record(GenerationRecord(model: "sdxl", provider: "replicate", category: "feet", finishedAt: t,
                                        durationSeconds: 3, outcome: .succeeded))
        metrics.record(GenerationRecord(model: "sdxl", provider: "replicate", category: "feet", finishedAt: t,
                                        durationSeconds: 1, outcome: .failed, failureKind: .rateLimited))
        metrics.update(budgets: [BudgetStatus(name: "daily", limit: 10, spent: 8, reserved: 0.5, remaining: 1.5, resetsAt: t)])
        metrics.recordHTTP(route: "/v1/images/{id}", code: 200, durationSeconds: 0.02)
        let text = metrics.registry.exposition()
        XCTAssertTrue(text.contains(#"imagegen_generations_total{model="sdxl",provider="replicate",status="succeeded"} 2"#))
        XCTAssertTrue(text.contains(#"imagegen_generation_duration_seconds_count{model="sdxl",provider="replicate"} 2"#))
        XCTAssertTrue(text.contains(#"imagegen_generation_duration_seconds_sum{model="sdxl",provider="replicate"} 15"#))
        XCTAssertTrue(text.contains(#"imagegen_provider_errors_total{provider="replicate",kind="rate_limited"} 1"#))
        XCTAssertTrue(text.contains(#"imagegen_cost_usd_total{model="sdxl",category="feet"} 0.04"#))
        XCTAssertTrue(text.contains(#"imagegen_unknown_cost_images_total{model="sdxl"} 1"#))
        XCTAssertTrue(text.contains(#"imagegen_quality_score_bucket{model="sdxl",le="80"} 1"#))
        XCTAssertTrue(text.contains(#"imagegen_budget_remaining_usd{budget="daily"} 1.5"#))
        XCTAssertTrue(text.contains(#"imagegen_budget_spent_usd{budget="daily"} 8.5"#), "spent includes reservations")
        XCTAssertTrue(text.contains(#"imagegen_http_requests_total{route="/v1/images/{id}",code="200"} 1"#))
        XCTAssertTrue(text.contains(#"imagegen_build_info{version="9.9.9"} 1"#))
        try PrometheusTextChecker.check(text)
        // A budget that disappears stops being exposed.
        metrics.update(budgets: [])
        XCTAssertFalse(metrics.registry.exposition().contains(#"budget="daily""#))
    }

    func testCheckerCatchesBrokenBodies() {
        XCTAssertThrowsError(try PrometheusTextChecker.check("x 1\n# TYPE x counter\n"))
        XCTAssertThrowsError(try PrometheusTextChecker.check("# TYPE x counter\nx 1"))
        XCTAssertThrowsError(try PrometheusTextChecker.check(
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"))
    }
}

/// An independent structural check of an exposition body (reference §1 and §3): final newline,
/// TYPE before samples, one contiguous group per name, histogram buckets cumulative with a +Inf
/// bucket equal to `_count`.
enum PrometheusTextChecker {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func check(_ body: String) throws {
        guard body.hasSuffix("\n") else { throw Failure(description: "body must end with a newline") }
        var types: [String: String] = [:]
        var finished = Set<String>()
        var current: String?
        var buckets: [String: [Double]] = [:]
        var counts: [String: Double] = [:]
        for line in body.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                let name = String(parts[2])
                guard types[name] == nil else { throw Failure(description: "second TYPE for \(name)") }
                types[name] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            let nameEnd = line.firstIndex { $0 == "{" || $0 == " " }!
            let series = String(line[..<nameEnd])
            let value = Double(line.split(separator: " ").last!.replacingOccurrences(of: "+Inf", with: "inf"))!
            var family = series
            for suffix in ["_bucket", "_sum", "_count"] where series.hasSuffix(suffix) {
                let base = String(series.dropLast(suffix.count))
                if types[base] == "histogram" { family = base }
            }
            guard types[family] != nil else { throw Failure(description: "sample of \(family) before its TYPE") }
            if current != family {
                if let current { finished.insert(current) }
                guard !finished.contains(family) else { throw Failure(description: "\(family) is not contiguous") }
                current = family
            }
            if types[family] == "histogram" {
                let labels = line[nameEnd...].split(separator: " ").first.map(String.init) ?? ""
                let seriesKey = family + labels.replacingOccurrences(of: #",?le="[^"]*""#, with: "", options: .regularExpression)
                    .replacingOccurrences(of: "{}", with: "")
                if series.hasSuffix("_bucket") {
                    if let last = buckets[seriesKey]?.last, value < last {
                        throw Failure(description: "buckets of \(seriesKey) are not cumulative")
                    }
                    buckets[seriesKey, default: []].append(value)
                    if labels.contains(#"le="+Inf""#) { counts[seriesKey] = value }
                } else if series.hasSuffix("_count") {
                    guard counts[seriesKey] == value else {
                        throw Failure(description: "+Inf bucket of \(seriesKey) differs from _count")
                    }
                }
            }
        }
    }
}
