import XCTest
@testable import Host
@testable import Templates

/// Outcome scoring, posteriors, Wilson intervals and the probability of being best, against values
/// computed by hand (the computations are in the comments).
final class ExperimentsStatisticsTests: XCTestCase {
    private let template = PromptTemplate(
        name: "exp", category: "demo", adult: false, prompt: "base",
        experiment: TemplateExperiment(arms: [ExperimentArm(name: "a", prompt: "prompt a"),
                                              ExperimentArm(name: "b", prompt: "prompt b")]))

    func testOutcomeScoresAreNormalisedToTheUnitInterval() throws {
        let scoring = OutcomeScoring.standard
        // (4 − 1) / 4 = 0.75; 80 / 100 = 0.8; both: (0.75 + 0.8) / 2 = 0.775.
        XCTAssertEqual(try scoring.score(rating: 4, qualityScore: nil), 0.75)
        XCTAssertEqual(try scoring.score(rating: nil, qualityScore: 80), 0.8)
        XCTAssertEqual(try XCTUnwrap(try scoring.score(rating: 4, qualityScore: 80)), 0.775, accuracy: 1e-12)
        XCTAssertEqual(try scoring.score(rating: 1, qualityScore: nil), 0)
        XCTAssertEqual(try scoring.score(rating: 5, qualityScore: nil), 1)
        XCTAssertNil(try scoring.score(rating: nil, qualityScore: nil))
        // Rating weight 3, quality weight 1: (3 · 0.75 + 1 · 0.8) / 4 = 0.7625.
        let weighted = OutcomeScoring(ratingWeight: 3, qualityWeight: 1)
        XCTAssertEqual(try XCTUnwrap(try weighted.score(rating: 4, qualityScore: 80)), 0.7625, accuracy: 1e-12)
        XCTAssertThrowsError(try scoring.score(rating: 6, qualityScore: nil)) { error in
            XCTAssertEqual(error as? ExperimentError, .ratingOutOfRange(6))
        }
        XCTAssertThrowsError(try scoring.score(rating: nil, qualityScore: 100.5))
    }

    func testPosteriorCountsScoresAsFractionalSuccesses() throws {
        var state = try ExperimentState(template: template)
        // Ratings 5, 5, 1 → scores 1, 1, 0: Σx = 2 over n = 3 → Beta(1 + 2, 1 + 3 − 2) = Beta(3, 2).
        for rating in [5, 5, 1] { try state.record(ExperimentOutcome(arm: "a", rating: rating)) }
        XCTAssertEqual(state.tally(of: "a")?.posterior, BetaDistribution(alpha: 3, beta: 2))
        // Quality 50 → 0.5: Beta(1.5, 1.5).
        try state.record(ExperimentOutcome(arm: "b", qualityScore: 50))
        XCTAssertEqual(state.tally(of: "b")?.posterior, BetaDistribution(alpha: 1.5, beta: 1.5))
        // An image without rating or score is no outcome.
        try state.record(ExperimentOutcome(arm: "b"))
        XCTAssertEqual(state.tally(of: "b")?.outcomes, 1)
    }

    func testWilsonIntervalMatchesTheHandComputation() {
        // p̂ = 0.75, n = 4, z = 1.959964, z² = 3.841459:
        //   denominator = 1 + z²/n = 1.960365
        //   centre = (0.75 + z²/2n) / 1.960365 = (0.75 + 0.480182) / 1.960365 = 0.627527
        //   half = z / 1.960365 · √(0.75·0.25/4 + z²/4n²) = 0.999795 · √(0.046875 + 0.060023) = 0.326886
        //   → [0.300642, 0.954413]
        let interval = WilsonInterval(mean: 0.75, count: 4)
        XCTAssertEqual(interval.lower, 0.300642, accuracy: 1e-6)
        XCTAssertEqual(interval.upper, 0.954413, accuracy: 1e-6)
        XCTAssertEqual(WilsonInterval(mean: 0, count: 0), WilsonInterval(lower: 0, upper: 1))
        // All-equal scores still give a wide interval for small n: 1.0 over 2 → upper bound 1, lower > 0.
        let perfect = WilsonInterval(mean: 1, count: 2)
        XCTAssertEqual(perfect.upper, 1, accuracy: 1e-12)
        XCTAssertLessThan(perfect.lower, 0.5)
    }

    func testReportCountsMeansAndIntervals() throws {
        // Arm a: ratings 4 and 5, then a quality score of 60 → scores 0.75, 1.0, 0.6; mean 2.35/3 = 0.783333;
        // mean rating (4 + 5)/2 = 4.5; Wilson(0.783333, 3) = [0.276955, 0.971530] (same formula as above).
        let state = try ExperimentState(template: template, assignments: ["a": 4, "b": 2], outcomes: [
            ExperimentOutcome(arm: "a", rating: 4), ExperimentOutcome(arm: "a", rating: 5),
            ExperimentOutcome(arm: "a", qualityScore: 60), ExperimentOutcome(arm: "gone", rating: 5),
        ])
        var random = SplitMix64(seed: 1)
        let report = try ExperimentReport(state: state, draws: 1000, using: &random)
        let a = try XCTUnwrap(report.arms.first)
        XCTAssertEqual(a.assignments, 4)
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(try XCTUnwrap(a.mean), 0.783333, accuracy: 1e-6)
        XCTAssertEqual(a.meanRating, 4.5)
        XCTAssertEqual(a.interval.lower, 0.276955, accuracy: 1e-6)
        XCTAssertEqual(a.interval.upper, 0.971530, accuracy: 1e-6)
        let b = report.arms[1]
        XCTAssertEqual(b.count, 0)
        XCTAssertNil(b.mean)
        XCTAssertEqual(b.interval, WilsonInterval(lower: 0, upper: 1))
        XCTAssertEqual(report.arms.map(\.probabilityBest).reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(report.leader?.arm, "a")
        XCTAssertEqual(report.phase, .exploring)
    }

    func testProbabilityBestMatchesTheExactValueForOneSuccess() throws {
        // a: one rating 5 → Beta(2, 1), density 2x; b: nothing → Beta(1, 1), uniform.
        // P(a > b) = ∫₀¹ P(b < x) · 2x dx = ∫₀¹ 2x² dx = 2/3.
        var state = try ExperimentState(template: template)
        try state.record(ExperimentOutcome(arm: "a", rating: 5))
        var random = SplitMix64(seed: 2024)
        let report = try ExperimentReport(state: state, draws: 20_000, using: &random)
        // Standard error √(2/9/20000) ≈ 0.0033.
        XCTAssertEqual(report.arms[0].probabilityBest, 2.0 / 3.0, accuracy: 0.015)
        XCTAssertEqual(report.arms[1].probabilityBest, 1.0 / 3.0, accuracy: 0.015)
    }

    func testProbabilityBestMatchesTheClosedFormForIntegerPosteriors() throws {
        // a: ratings 5, 5, 1 → Beta(3, 2); b: 5, 1, 1 → Beta(2, 3). For integer parameters (Evan Miller):
        // P(X > Y) = Σ_{i=0}^{αX−1} B(αY+i, βY+βX) / ((βX+i) · B(1+i, βX) · B(αY, βY)), X = Beta(3,2), Y = Beta(2,3)
        //   i=0: B(2,5) / (2 · B(1,2) · B(2,3)) = (1/30) / (2 · 1/2 · 1/12) = 12/30 = 28/70
        //   i=1: B(3,5) / (3 · B(2,2) · B(2,3)) = (1/105) / (3 · 1/6 · 1/12) = 24/105 = 16/70
        //   i=2: B(4,5) / (4 · B(3,2) · B(2,3)) = (1/280) / (4 · 1/12 · 1/12) = 36/280 = 9/70
        //   sum = 53/70 ≈ 0.757143
        var state = try ExperimentState(template: template)
        for rating in [5, 5, 1] { try state.record(ExperimentOutcome(arm: "a", rating: rating)) }
        for rating in [5, 1, 1] { try state.record(ExperimentOutcome(arm: "b", rating: rating)) }
        var random = SplitMix64(seed: 7)
        let report = try ExperimentReport(state: state, draws: 20_000, using: &random)
        XCTAssertEqual(report.arms[0].probabilityBest, 53.0 / 70.0, accuracy: 0.015)
    }

    func testReportIsReproducibleWithASeededGenerator() throws {
        var state = try ExperimentState(template: template)
        try state.record(ExperimentOutcome(arm: "a", rating: 4))
        try state.record(ExperimentOutcome(arm: "b", rating: 3))
        var first = SplitMix64(seed: 5)
        var second = SplitMix64(seed: 5)
        XCTAssertEqual(try ExperimentReport(state: state, draws: 500, using: &first),
                       try ExperimentReport(state: state, draws: 500, using: &second))
        XCTAssertThrowsError(try ExperimentReport(state: state, draws: 0, using: &first))
    }

    func testBetaSamplerHasTheRightMoments() {
        // Beta(3, 2): mean 3/5 = 0.6, variance αβ/((α+β)²(α+β+1)) = 6/(25·6) = 0.04. Also a shape < 1.
        for (alpha, beta) in [(3.0, 2.0), (0.5, 0.5)] {
            let distribution = BetaDistribution(alpha: alpha, beta: beta)
            var random = SplitMix64(seed: 99)
            let draws = (0..<20_000).map { _ in distribution.sample(using: &random) }
            let mean = draws.reduce(0, +) / Double(draws.count)
            let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)
            let expectedVariance = alpha * beta / ((alpha + beta) * (alpha + beta) * (alpha + beta + 1))
            XCTAssertEqual(mean, alpha / (alpha + beta), accuracy: 0.01)
            XCTAssertEqual(variance, expectedVariance, accuracy: 0.01)
            XCTAssertTrue(draws.allSatisfy { (0...1).contains($0) })
        }
    }

    func testUnknownArmsAreRefused() throws {
        var state = try ExperimentState(template: template)
        XCTAssertThrowsError(try state.record(ExperimentOutcome(arm: "c", rating: 3))) { error in
            XCTAssertEqual(error as? ExperimentError, .unknownArm(template: "exp", arm: "c", known: ["a", "b"]))
        }
        XCTAssertThrowsError(try ExperimentState(template: PromptTemplate(name: "plain", category: "d", adult: false, prompt: "p")))
    }
}
