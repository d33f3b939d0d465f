/// The statistics of one experiment: per arm the count, mean, 95% interval and probability of being best.
package struct ExperimentReport: Codable, Sendable, Hashable {
    package static let defaultDraws = 20_000

    package var template: String
    package var phase: ArmAssignment.Phase
    package var arms: [ArmStatistics]
    /// Monte Carlo draws behind `probabilityBest` (its standard error is at most 0.5/√draws).
    package var draws: Int

    /// The arm most likely to be best, when any arm has outcomes.
    package var leader: ArmStatistics? {
        guard arms.contains(where: { $0.count > 0 }) else { return nil }
        return arms.max { $0.probabilityBest < $1.probabilityBest }
    }

    /// Computes the report. `random` drives the Monte Carlo estimate: pass a seeded generator for
    /// reproducible numbers (tests, stable CLI output), or the system generator.
    package init(state: ExperimentState, assigner: ArmAssigner = ArmAssigner(), draws: Int = ExperimentReport.defaultDraws,
                using random: inout some RandomNumberGenerator) throws(ExperimentError) {
        guard draws > 0 else { throw .invalidSettings("the number of Monte Carlo draws must be positive") }
        let posteriors = state.tallies.map(\.posterior)
        var wins = Array(repeating: 0, count: posteriors.count)
        for _ in 0..<draws {
            var best = 0
            var bestDraw = -1.0
            for (index, posterior) in posteriors.enumerated() {
                let draw = posterior.sample(using: &random)
                if draw > bestDraw {
                    best = index
                    bestDraw = draw
                }
            }
            wins[best] += 1
        }
        template = state.template
        phase = assigner.phase(of: state)
        self.draws = draws
        arms = state.tallies.enumerated().map { index, tally in
            let mean = tally.meanScore
            return ArmStatistics(
                arm: tally.arm,
                assignments: tally.assignments,
                count: tally.outcomes,
                mean: mean,
                meanRating: tally.ratingCount > 0 ? Double(tally.ratingSum) / Double(tally.ratingCount) : nil,
                interval: WilsonInterval(mean: mean ?? 0, count: tally.outcomes),
                probabilityBest: Double(wins[index]) / Double(draws),
                posterior: tally.posterior)
        }
    }
}
