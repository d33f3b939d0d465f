import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import Operations

final class MetricsGenerationStatsTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    private func record(_ model: String, _ provider: String, _ category: String, _ duration: Double,
                        _ outcome: GenerationOutcome, cost: String? = nil, quality: Double? = nil,
                        kind: ProviderFailureKind? = nil) -> GenerationRecord {
        GenerationRecord(model: model, provider: provider, category: category, finishedAt: t0,
                         durationSeconds: duration, outcome: outcome, failureKind: kind,
                         costUSD: cost.flatMap { Double($0) }, qualityScore: quality)
    }

    func testNearestRankPercentilesByHand() {
        XCTAssertEqual(Percentile.nearestRank([1, 2, 3, 4], percent: 50), 2)
        XCTAssertEqual(Percentile.nearestRank((1...20).map(Double.init), percent: 95), 19)
        XCTAssertEqual(Percentile.nearestRank((1...10).map(Double.init), percent: 95), 10)
        XCTAssertEqual(Percentile.nearestRank((1...10).map(Double.init), percent: 50), 5)
        XCTAssertEqual(Percentile.nearestRank([7], percent: 95), 7)
        XCTAssertEqual(Percentile.nearestRank([1, 2, 3], percent: 100), 3)
        XCTAssertEqual(Percentile.nearestRank([1, 2, 3], percent: 0), 1)
        XCTAssertNil(Percentile.nearestRank([], percent: 50))
    }

    func testGroupStatisticsAgainstHandComputedValues() throws {
        let records = [
            record("sdxl", "replicate", "feet", 4, .succeeded, cost: "0.04", quality: 80),
            record("sdxl", "replicate", "feet", 1, .succeeded, cost: "0.04", quality: 60),
            record("sdxl", "replicate", "lingerie", 3, .succeeded, cost: nil, quality: nil),
            record("sdxl", "replicate", "lingerie", 2, .succeeded, cost: "0.05", quality: 70),
            record("sdxl", "replicate", "lingerie", 10, .succeeded, cost: "0.03", quality: 90),
            record("sdxl", "replicate", "feet", 30, .failed, cost: "0.01", kind: .rateLimited),
            record("sdxl", "replicate", "feet", 2, .contentFiltered),
            record("sdxl", "replicate", "feet", 5, .cancelled),
            record("core", "stability", "feet", 6, .succeeded, cost: "0.08", quality: 50),
        ]
        let byModel = GenerationStats.group(records, by: .model)
        XCTAssertEqual(byModel.map(\.key), ["core", "sdxl"])
        let sdxl = byModel[1]
        XCTAssertEqual(sdxl.attempts, 8)
        XCTAssertEqual(sdxl.succeeded, 5)
        XCTAssertEqual(sdxl.failed, 1)
        XCTAssertEqual(sdxl.contentFiltered, 1)
        XCTAssertEqual(sdxl.cancelled, 1)
        XCTAssertEqual(sdxl.rateLimited, 1)
        XCTAssertEqual(try XCTUnwrap(sdxl.successRate), 5.0 / 7.0, accuracy: 1e-12)  // cancelled not judged
        let d = try XCTUnwrap(sdxl.duration)  // succeeded only: 1 2 3 4 10
        XCTAssertEqual(d.count, 5)
        XCTAssertEqual(d.mean, 4, accuracy: 1e-12)
        XCTAssertEqual(d.p50, 3)   // rank ⌈2.5⌉ = 3
        XCTAssertEqual(d.p95, 10)  // rank ⌈4.75⌉ = 5
        XCTAssertEqual(sdxl.knownCostImages, 4)
        XCTAssertEqual(sdxl.unknownCostImages, 1)
        XCTAssertEqual(try XCTUnwrap(sdxl.costPerImageUSD), 0.04, accuracy: 1e-12)  // 0.16 / 4
        XCTAssertEqual(sdxl.spentUSD, 0.17, accuracy: 1e-12)         // + the charged failure
        XCTAssertEqual(try XCTUnwrap(sdxl.qualityMean), 75, accuracy: 1e-12)
        XCTAssertEqual(sdxl.qualityCount, 4)

        let byCategory = GenerationStats.group(records, by: .category)
        XCTAssertEqual(byCategory.map { "\($0.key) \($0.succeeded)" }, ["feet 3", "lingerie 3"])
        XCTAssertEqual(byCategory[0].spentUSD, 0.17, accuracy: 1e-12)  // 0.04 + 0.04 + 0.01 + 0.08
        let byProvider = GenerationStats.group(records, by: .provider)
        XCTAssertEqual(byProvider.map(\.key), ["replicate", "stability"])
        XCTAssertEqual(byProvider[1].duration?.p50, 6)
        XCTAssertEqual(GenerationStats.overall(records).attempts, 9)
    }

    func testEmptyAndUnknownOnlyGroupsReportNothingRatherThanZero() {
        let onlyUnknown = GroupStats(key: "m", records: [record("m", "p", "c", 1, .succeeded)])
        XCTAssertNil(onlyUnknown.costPerImageUSD)
        XCTAssertEqual(onlyUnknown.unknownCostImages, 1)
        XCTAssertNil(onlyUnknown.qualityMean)
        let onlyCancelled = GroupStats(key: "m", records: [record("m", "p", "c", 1, .cancelled)])
        XCTAssertNil(onlyCancelled.successRate)
        XCTAssertNil(onlyCancelled.duration)
    }
}
