import Foundation
import XCTest
@testable import Host
@testable import ImagegenCore
@testable import ImagegenTestSupport
@testable import Operations

/// The metrics and statistics of real catalog jobs, against values computed by hand from the
/// job rows (states, submit and finish times, costs) and the images' quality scores.
final class OpsMetricsTests: XCTestCase {
    /// The value of one series in a Prometheus exposition (`name{labels}` exactly as rendered).
    static func sample(_ text: String, _ series: String, file: StaticString = #filePath, line: UInt = #line) -> Double? {
        for row in text.split(separator: "\n") where row.hasPrefix(series + " ") {
            return Double(row.dropFirst(series.count + 1))
        }
        return nil
    }

    private struct Expected {
        var succeeded = 0, failed = 0
        var durations: [Double] = []
        var costByCategory: [String: Double] = [:]
    }

    private func expected(_ jobs: [Job]) -> Expected {
        var e = Expected()
        for j in jobs {
            if j.state == .succeeded {
                e.succeeded += 1
                e.durations.append(j.finishedAt!.timeIntervalSince(j.submittedAt!))
            }
            if j.state == .failed { e.failed += 1 }
            if let c = j.costUSD { e.costByCategory[j.category, default: 0] += c }
        }
        return e
    }

    func testExpositionAndStatisticsMatchHandComputedValues() async throws {
        let host = try OpsHost(label: "metrics", config: """
            providers: { preview: { fail_every_n: 3, cost_usd: 0.02 } }, \(OpsAlertRulesLiveTests.failFast),
            budgets: { daily: 10 }
            """)
        let phase = try host.phase()
        var jobs = try await phase.runPrompts(3, category: "product")
        jobs += try await phase.runPrompts(3, category: "feet")
        let e = expected(jobs)
        XCTAssertEqual(e.succeeded, 4, "every third submit fails")
        XCTAssertEqual(e.failed, 2)
        // Two images get a quality score (the imaging pipeline's job; written directly here).
        // Hand-set scores replace the automatic ones so the sums below are hand-computable.
        try phase.catalog.database.query("UPDATE images SET quality_score = NULL")
        let scored = jobs.filter { $0.state == .succeeded }.prefix(2).map(\.id)
        for (id, score) in zip(scored, [45.0, 85.0]) {
            try phase.catalog.database.query("UPDATE images SET quality_score = ? WHERE job_id = ?", [.real(score), .text(id)])
        }

        let loop = try phase.loop(clock: ManualWallClock(Date()))
        let text = await loop.metricsText()
        func value(_ series: String) -> Double? { Self.sample(text, series) }
        XCTAssertEqual(value(#"imagegen_generations_total{model="preview",provider="preview",status="succeeded"}"#), 4)
        XCTAssertEqual(value(#"imagegen_generations_total{model="preview",provider="preview",status="failed"}"#), 2)
        XCTAssertEqual(value(#"imagegen_provider_errors_total{provider="preview",kind="provider_error"}"#), 2)
        XCTAssertEqual(value(#"imagegen_generation_duration_seconds_count{model="preview",provider="preview"}"#), 4)
        XCTAssertEqual(try XCTUnwrap(value(#"imagegen_generation_duration_seconds_sum{model="preview",provider="preview"}"#)),
                       e.durations.reduce(0, +), accuracy: 1e-6)
        let within2s = Double(e.durations.filter { $0 <= 2 }.count)
        XCTAssertEqual(value(#"imagegen_generation_duration_seconds_bucket{model="preview",provider="preview",le="2"}"#), within2s)
        XCTAssertEqual(value(#"imagegen_generation_duration_seconds_bucket{model="preview",provider="preview",le="+Inf"}"#), 4)
        for (category, cost) in e.costByCategory {
            XCTAssertEqual(try XCTUnwrap(value(#"imagegen_cost_usd_total{model="preview",category="\#(category)"}"#)), cost, accuracy: 1e-9)
        }
        XCTAssertEqual(value(#"imagegen_quality_score_bucket{model="preview",le="40"}"#), 0)
        XCTAssertEqual(value(#"imagegen_quality_score_bucket{model="preview",le="50"}"#), 1)
        XCTAssertEqual(value(#"imagegen_quality_score_bucket{model="preview",le="90"}"#), 2)
        XCTAssertEqual(value(#"imagegen_quality_score_sum{model="preview"}"#), 130)
        XCTAssertEqual(try XCTUnwrap(value(#"imagegen_budget_spent_usd{budget="daily"}"#)), 4 * 0.02, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(value(#"imagegen_budget_remaining_usd{budget="daily"}"#)), 10 - 4 * 0.02, accuracy: 1e-9)
        XCTAssertEqual(value(#"imagegen_jobs{state="succeeded"}"#), 4)
        XCTAssertEqual(value(#"imagegen_jobs{state="failed"}"#), 2)
        XCTAssertTrue(text.hasSuffix("\n"))
        XCTAssertTrue(text.contains("# TYPE imagegen_generation_duration_seconds histogram\n"))

        // Incremental: a new job is counted once, earlier ones are not counted again.
        let more = try await phase.runPrompts(1, category: "product")
        let again = await loop.metricsText()
        let newSucceeded = more.filter { $0.state == .succeeded }.count
        XCTAssertEqual(Self.sample(again, #"imagegen_generations_total{model="preview",provider="preview",status="succeeded"}"#),
                       Double(4 + newSucceeded))

        // The statistics `imagegen stats` prints, per category.
        let records = try phase.catalog.generationRecords()
        let byCategory = Dictionary(uniqueKeysWithValues: GenerationStats.group(records, by: .category).map { ($0.key, $0) })
        for category in ["product", "feet"] {
            let rows = (jobs + more).filter { $0.category == category }
            let ok = rows.filter { $0.state == .succeeded }
            let judged = rows.filter { [.succeeded, .failed, .contentFiltered].contains($0.state) }.count
            let durations = ok.map { $0.finishedAt!.timeIntervalSince($0.submittedAt!) }.sorted()
            let stats = try XCTUnwrap(byCategory[category])
            XCTAssertEqual(stats.attempts, rows.count)
            XCTAssertEqual(stats.succeeded, ok.count)
            XCTAssertEqual(try XCTUnwrap(stats.successRate), Double(ok.count) / Double(judged), accuracy: 1e-12)
            if !durations.isEmpty {
                XCTAssertEqual(try XCTUnwrap(stats.duration?.mean), durations.reduce(0, +) / Double(durations.count), accuracy: 1e-9)
                XCTAssertEqual(try XCTUnwrap(stats.duration?.p50), durations[(durations.count + 1) / 2 - 1], accuracy: 1e-9)
                XCTAssertEqual(try XCTUnwrap(stats.duration?.p95), durations[(95 * durations.count + 99) / 100 - 1], accuracy: 1e-9)
                XCTAssertEqual(try XCTUnwrap(stats.costPerImageUSD), 0.02, accuracy: 1e-12)
            }
        }
        let quality = records.compactMap(\.qualityScore)
        // The hand-set scores, plus the automatic scores of the images generated since.
        let stored = try phase.catalog.database.query("SELECT quality_score FROM images WHERE quality_score IS NOT NULL")
            .compactMap { $0["quality_score"]?.double }
        XCTAssertEqual(quality.sorted(), stored.sorted(), "quality comes from the images' scores")
        XCTAssertTrue(quality.contains(45) && quality.contains(85))
        XCTAssertEqual(records.first { $0.outcome == .failed }?.failureKind, .providerError)
    }

    func testUnknownCostStaysUnknown() async throws {
        // Preview priced as unknown and reporting no cost.
        let host = try OpsHost(label: "metrics-unknown", config: "models: { preview: { price_unknown: true } }")
        let phase = try host.phase()
        let jobs = try await phase.runPrompts(2)
        XCTAssertTrue(jobs.allSatisfy { $0.state == .succeeded && $0.costUSD == nil })
        let records = try phase.catalog.generationRecords()
        XCTAssertTrue(records.allSatisfy { $0.costUSD == nil })
        let stats = GenerationStats.overall(records)
        XCTAssertNil(stats.costPerImageUSD, "unknown, not 0")
        XCTAssertEqual(stats.unknownCostImages, 2)
        let text = await (try phase.loop(clock: ManualWallClock(Date()))).metricsText()
        XCTAssertEqual(Self.sample(text, #"imagegen_unknown_cost_images_total{model="preview"}"#), 2)
        XCTAssertNil(Self.sample(text, #"imagegen_cost_usd_total{model="preview",category="product"}"#))
    }

    func testAnOpenCircuitIsExposedByPluginAndModelName() async throws {
        let host = try OpsHost(label: "metrics-circuit", config: """
            providers: { preview: { fail_every_n: 1, fail_status: 10 } }, jobs: { submit_attempts: 1 },
            health: { failure_threshold: 1, cooldown_seconds: 600 }
            """)
        let phase = try host.phase()
        let jobs = try await phase.runPrompts(1)
        XCTAssertEqual(jobs.map(\.state), [.failed])
        let text = await (try phase.loop(clock: ManualWallClock(Date()))).metricsText()
        XCTAssertEqual(Self.sample(text, #"imagegen_provider_circuit_open{provider="preview",model="preview"}"#), 1)
    }
}
