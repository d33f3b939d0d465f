/// Chooses the experiment arm for each new image.
///
/// Exploring phase: until every arm has at least `minimumOutcomesPerArm` outcomes, arms take turns — the arm
/// with the fewest assignments goes next, ties in the template's order — so every arm gets the same share of
/// images whether or not they get rated. Thompson phase: one draw from each arm's Beta posterior, the highest
/// draw wins; better arms get more images while the others keep a chance proportional to their probability
/// of being best. The random generator is injected, so a seeded one makes assignment reproducible.
package struct ArmAssigner: Codable, Sendable, Hashable {
    package static let defaultMinimumOutcomesPerArm = 5

    package var minimumOutcomesPerArm: Int

    package init(minimumOutcomesPerArm: Int = ArmAssigner.defaultMinimumOutcomesPerArm) {
        self.minimumOutcomesPerArm = max(0, minimumOutcomesPerArm)
    }

    package func phase(of state: ExperimentState) -> ArmAssignment.Phase {
        state.tallies.allSatisfy { $0.outcomes >= minimumOutcomesPerArm } ? .thompson : .exploring
    }

    /// Chooses an arm and records the assignment in `state`.
    package func assign(_ state: inout ExperimentState, using random: inout some RandomNumberGenerator) -> ArmAssignment {
        precondition(!state.tallies.isEmpty, "an experiment state has at least two arms")
        let phase = phase(of: state)
        let index: Int
        switch phase {
        case .exploring:
            let fewest = state.tallies.map(\.assignments).min() ?? 0
            index = state.tallies.firstIndex { $0.assignments == fewest } ?? 0
        case .thompson:
            let draws = state.tallies.map { $0.posterior.sample(using: &random) }
            index = draws.indices.max { draws[$0] < draws[$1] } ?? 0
        }
        state.tallies[index].assignments += 1
        return ArmAssignment(arm: state.tallies[index].arm, phase: phase)
    }

    /// Arms for a batch of `count` images, each recorded before the next is chosen.
    package func assign(_ count: Int, in state: inout ExperimentState, using random: inout some RandomNumberGenerator) -> [ArmAssignment] {
        (0..<max(0, count)).map { _ in assign(&state, using: &random) }
    }
}
