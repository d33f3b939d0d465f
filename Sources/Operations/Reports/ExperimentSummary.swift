/// An A/B experiment's state as the experiments module reports it (`imagegen experiments show`):
/// the report names the leader and suggests promoting it when the evidence is strong.
package struct ExperimentSummary: Sendable, Hashable, Codable {
    package struct Arm: Sendable, Hashable, Codable {
        package var name: String
        package var samples: Int
        /// Mean outcome (quality score or rating, on the experiment's scale).
        package var mean: Double
        /// 95% interval of the mean, when known.
        package var lower95: Double?
        package var upper95: Double?
        /// Posterior probability of being the best arm, when known.
        package var probabilityBest: Double?

        package init(name: String, samples: Int, mean: Double, lower95: Double? = nil, upper95: Double? = nil,
                    probabilityBest: Double? = nil) {
            self.name = name
            self.samples = samples
            self.mean = mean
            self.lower95 = lower95
            self.upper95 = upper95
            self.probabilityBest = probabilityBest
        }
    }

    package var name: String
    package var template: String?
    package var arms: [Arm]

    package init(name: String, template: String? = nil, arms: [Arm]) {
        self.name = name
        self.template = template
        self.arms = arms
    }

    /// The arm with the highest mean (ties: more samples, then name).
    package var leader: Arm? {
        arms.max { ($0.mean, $0.samples, $1.name) < ($1.mean, $1.samples, $0.name) }
    }
}
