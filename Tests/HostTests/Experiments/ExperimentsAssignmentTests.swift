import XCTest
@testable import Host
@testable import Templates

/// Arm assignment: arms take turns until each has k outcomes, then Thompson sampling favours the better arm
/// in proportion to its probability of being best. Reproducible with a seeded generator.
final class ExperimentsAssignmentTests: XCTestCase {
    private func template(arms: Int) -> PromptTemplate {
        PromptTemplate(name: "exp", category: "demo", adult: false, prompt: "base",
                       experiment: TemplateExperiment(arms: (0..<arms).map { ExperimentArm(name: "arm\($0)", prompt: "p\($0)") }))
    }

    func testArmsTakeTurnsWhileExploring() throws {
        var state = try ExperimentState(template: template(arms: 3))
        var random = SplitMix64(seed: 1)
        let batch = ArmAssigner().assign(7, in: &state, using: &random)
        XCTAssertEqual(batch.map(\.arm), ["arm0", "arm1", "arm2", "arm0", "arm1", "arm2", "arm0"])
        XCTAssertTrue(batch.allSatisfy { $0.phase == .exploring })
        XCTAssertEqual(state.tallies.map(\.assignments), [3, 2, 2])
    }

    func testExploringFillsTheLeastAssignedArmFirst() throws {
        let state0 = try ExperimentState(template: template(arms: 3), assignments: ["arm0": 4, "arm1": 2, "arm2": 3], outcomes: [])
        var state = state0
        var random = SplitMix64(seed: 1)
        XCTAssertEqual(ArmAssigner().assign(&state, using: &random).arm, "arm1")
    }

    func testThompsonStartsOnceEveryArmHasKOutcomes() throws {
        let assigner = ArmAssigner(minimumOutcomesPerArm: 2)
        var state = try ExperimentState(template: template(arms: 2))
        try state.record(ExperimentOutcome(arm: "arm0", rating: 4))
        try state.record(ExperimentOutcome(arm: "arm0", rating: 4))
        try state.record(ExperimentOutcome(arm: "arm1", rating: 4))
        XCTAssertEqual(assigner.phase(of: state), .exploring, "arm1 has only 1 of 2 outcomes")
        try state.record(ExperimentOutcome(arm: "arm1", rating: 2))
        XCTAssertEqual(assigner.phase(of: state), .thompson)
        var random = SplitMix64(seed: 3)
        XCTAssertEqual(assigner.assign(&state, using: &random).phase, .thompson)
        XCTAssertEqual(ArmAssigner().phase(of: state), .exploring, "the default k is 5")
    }

    func testThompsonAlmostAlwaysPicksAClearWinner() throws {
        // arm0: five 5s → Beta(6, 1); arm1: five 1s → Beta(1, 6). P(arm1 best) = 1 − 0.998918 ≈ 0.0011.
        var state = try ExperimentState(template: template(arms: 2))
        for _ in 0..<5 {
            try state.record(ExperimentOutcome(arm: "arm0", rating: 5))
            try state.record(ExperimentOutcome(arm: "arm1", rating: 1))
        }
        var random = SplitMix64(seed: 11)
        let picks = ArmAssigner().assign(500, in: &state, using: &random)
        XCTAssertGreaterThanOrEqual(picks.filter { $0.arm == "arm0" }.count, 495)
        XCTAssertTrue(picks.allSatisfy { $0.phase == .thompson })
    }

    func testThompsonSharesFollowTheProbabilityOfBeingBest() throws {
        // arm0: Beta(3, 2) vs arm1: Beta(2, 3) (k = 3): P(arm0 best) = 53/70 ≈ 0.757 (see the statistics tests).
        let assigner = ArmAssigner(minimumOutcomesPerArm: 3)
        var state = try ExperimentState(template: template(arms: 2))
        for rating in [5, 5, 1] { try state.record(ExperimentOutcome(arm: "arm0", rating: rating)) }
        for rating in [5, 1, 1] { try state.record(ExperimentOutcome(arm: "arm1", rating: rating)) }
        var random = SplitMix64(seed: 12)
        let picks = assigner.assign(4000, in: &state, using: &random)
        let share = Double(picks.filter { $0.arm == "arm0" }.count) / 4000
        XCTAssertEqual(share, 53.0 / 70.0, accuracy: 0.03)
    }

    func testAssignmentIsReproducibleWithASeed() throws {
        var state = try ExperimentState(template: template(arms: 3))
        for arm in ["arm0", "arm1", "arm2"] {
            for rating in [3, 4, 2, 5, 3] { try state.record(ExperimentOutcome(arm: arm, rating: rating)) }
        }
        var first = state
        var second = state
        var randomA = SplitMix64(seed: 77)
        var randomB = SplitMix64(seed: 77)
        XCTAssertEqual(ArmAssigner().assign(50, in: &first, using: &randomA),
                       ArmAssigner().assign(50, in: &second, using: &randomB))
        XCTAssertEqual(first, second)
    }
}
