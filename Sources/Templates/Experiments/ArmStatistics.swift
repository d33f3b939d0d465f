/// What `imagegen experiments show` prints for one arm.
public struct ArmStatistics: Codable, Sendable, Hashable {
    public var arm: String
    public var assignments: Int
    /// Images with an outcome.
    public var count: Int
    /// Mean outcome in [0, 1]; nil without outcomes.
    public var mean: Double?
    /// Mean of the ratings (1...5) among rated images; nil when none is rated.
    public var meanRating: Double?
    /// 95% Wilson interval of the mean ([0, 1] without outcomes).
    public var interval: WilsonInterval
    /// Monte Carlo estimate of P(this arm has the highest success rate) under the Beta posteriors.
    public var probabilityBest: Double
    public var posterior: BetaDistribution

    enum CodingKeys: String, CodingKey {
        case arm, assignments, count, mean
        case meanRating = "mean_rating"
        case interval
        case probabilityBest = "probability_best"
        case posterior
    }
}
