import Foundation
import XCTest
@testable import Host
@testable import Operations

final class ReportsBuilderTests: XCTestCase {
    func testFiguresAgainstHandComputedValues() throws {
        let r = ReportsFixture.report
        XCTAssertEqual(r.totals.attempts, 20)
        XCTAssertEqual(r.totals.succeeded, 18)
        XCTAssertEqual(try XCTUnwrap(r.totals.successRate), 0.9, accuracy: 1e-12)
        XCTAssertEqual(r.totals.spentUSD, 0.5, accuracy: 1e-12)
        XCTAssertEqual(r.totals.unknownCostImages, 8)
        XCTAssertEqual(r.categories.map { "\($0.category) \($0.images) \(ReportFormat.fixed($0.spentUSD, 4)) \($0.unknownCostImages)" },
                       ["feet 10 0.5000 0", "lingerie 8 0.0000 8"])
        XCTAssertEqual(r.slowestProvider?.provider, "stability")
        XCTAssertEqual(r.slowestProvider?.p50Seconds, 10)
        XCTAssertEqual(r.bestModel?.model, "premium")
        XCTAssertEqual(try XCTUnwrap(r.bestModel?.qualityMean), 80, accuracy: 1e-12)
        // budget: (385 + 135 + 200) / 13 = 720 / 13
        XCTAssertEqual(r.worstModel?.model, "budget")
        XCTAssertEqual(try XCTUnwrap(r.worstModel?.qualityMean), 720.0 / 13.0, accuracy: 1e-9)
        XCTAssertEqual(r.bestImage?.imageID, "img-p1")
        XCTAssertEqual(r.bestImage?.score, 82)
        XCTAssertEqual(r.worstImage?.imageID, "img-l0")
        XCTAssertEqual(r.experiments.map { "\($0.experiment)=\($0.arm)" }, ["lace-wording=A", "satin-light=warm"])
    }

    func testSuggestionsCarryTheirNumbers() throws {
        let s = ReportsFixture.report.suggestions
        XCTAssertEqual(s.map(\.kind), [.cheaperModel, .lowQualityTemplate, .contentFilteredTemplate,
                                       .promoteExperiment, .providerTrendingUp])
        let cheaper = s[0]
        XCTAssertEqual(cheaper.subject, "feet: premium → budget")
        func figure(_ s: Suggestion, _ name: String) -> Double? { s.figures.first { $0.name == name }?.value }
        XCTAssertEqual(try XCTUnwrap(figure(cheaper, "saving")), 0.75, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(figure(cheaper, "quality_cheaper")), 77, accuracy: 1e-9)
        XCTAssertTrue(cheaper.text.contains("0.0200 USD") && cheaper.text.contains("−75.0%"), cheaper.text)

        XCTAssertEqual(s[1].subject, "lingerie_black_lace")
        XCTAssertEqual(figure(s[1], "quality_mean"), 40)
        XCTAssertEqual(s[2].subject, "lingerie_red_satin")
        XCTAssertEqual(try XCTUnwrap(figure(s[2], "rate")), 0.4, accuracy: 1e-12)
        XCTAssertEqual(s[3].subject, "lace-wording", "satin-light has too few samples per arm")
        XCTAssertEqual(figure(s[3], "probability_best"), 0.97)
        XCTAssertEqual(s[4].subject, "stability")
        XCTAssertEqual(figure(s[4], "p50_previous"), 5)
        XCTAssertEqual(figure(s[4], "p50_current"), 10)
    }

    func testNoSuggestionsWithoutEnoughData() {
        let few = Array(ReportsFixture.records.prefix(3))
        let report = ReportBuilder.build(ReportInput(period: .isoWeek(year: 2026, week: 48), timeZone: ReportsFixture.zone,
                                                     records: few), generatedAt: ReportsFixture.wednesday)
        XCTAssertEqual(report.suggestions, [])
        XCTAssertNil(report.bestModel, "3 scores are fewer than the 5 needed")
        XCTAssertNil(report.worstModel)
    }

    func testPromotionByIntervalsWhenNoProbabilityIsGiven() {
        let settings = ReportSettings(minArmSamples: 10)
        let separated = ExperimentSummary(name: "x", arms: [
            .init(name: "a", samples: 20, mean: 80, lower95: 75, upper95: 85),
            .init(name: "b", samples: 20, mean: 60, lower95: 55, upper95: 70)])
        let overlapping = ExperimentSummary(name: "y", arms: [
            .init(name: "a", samples: 20, mean: 80, lower95: 65, upper95: 95),
            .init(name: "b", samples: 20, mean: 70, lower95: 60, upper95: 80)])
        let out = ReportSuggestions.promotions([separated, overlapping], settings)
        XCTAssertEqual(out.map(\.subject), ["x"])
        XCTAssertEqual(out.first?.figures.first { $0.name == "leader_lower95" }?.value, 75)
    }
}
