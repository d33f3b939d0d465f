/// An A/B experiment's state as the experiments module reports it (`imagegen experiments show`):
/// the report names the leader and suggests promoting it when the evidence is strong.
public struct ExperimentSummary: Sendable, Hashable, Codable {
    public struct Arm: Sendable, Hashable, Codable {
        public var name: String
        public var samples: Int
        /// Mean outcome (quality score or rating, on the experiment's scale).
        public var mean: Double
        /// 95% interval of the mean, when known.
        public var lower95: Double?
        public var upper95: Double?
        /// Posterior probability of being the best arm, when known.
        public var probabilityBest: Double?

        public init(name: String, samples: Int, mean: Double, lower95: Double? = nil, upper95: Double? = nil,
                    probabilityBest: Double? = nil) {
            self.name = name
            self.samples = samples
            self.mean = mean
            self.lower95 = lower95
            self.upper95 = upper95
            self.probabilityBest = probabilityBest
        }
    }

    public var name: String
    public var template: String?
    public var arms: [Arm]

    public init(name: String, template: String? = nil, arms: [Arm]) {
        self.name = name
        self.template = template
        self.arms = arms
    }

    /// The arm with the highest mean (ties: more samples, then name).
    public var leader: Arm? {
        arms.max { ($0.mean, $0.samples, $1.name) < ($1.mean, $1.samples, $0.name) }
    }
}
