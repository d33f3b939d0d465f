/// The sufficient statistics of one arm: how often it was assigned and what its scored images got.
package struct ArmTally: Codable, Sendable, Hashable {
    package var arm: String
    /// Images generated with this arm (rated or not): drives the round-robin of the exploring phase.
    package var assignments: Int
    /// Images of this arm that have an outcome.
    package var outcomes: Int
    /// Σ of the outcomes' scores in [0, 1].
    package var scoreSum: Double
    /// Σ of the ratings (1...5) and how many there are, to show the mean rating as users know it.
    package var ratingSum: Int
    package var ratingCount: Int

    package init(arm: String, assignments: Int = 0, outcomes: Int = 0, scoreSum: Double = 0, ratingSum: Int = 0, ratingCount: Int = 0) {
        self.arm = arm
        self.assignments = assignments
        self.outcomes = outcomes
        self.scoreSum = scoreSum
        self.ratingSum = ratingSum
        self.ratingCount = ratingCount
    }

    /// Mean score in [0, 1]; nil without outcomes.
    package var meanScore: Double? {
        outcomes > 0 ? scoreSum / Double(outcomes) : nil
    }

    /// The Beta posterior of the arm's success rate: Beta(1 + Σx, 1 + Σ(1 − x)) from a uniform prior, each
    /// score x counted as x successes out of one trial (exact for 0/1 outcomes, the usual fractional
    /// approximation otherwise).
    package var posterior: BetaDistribution {
        BetaDistribution(alpha: 1 + scoreSum, beta: 1 + Double(outcomes) - scoreSum)
    }
}
