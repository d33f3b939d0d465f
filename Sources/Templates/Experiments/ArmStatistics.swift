/// What `imagegen experiments show` prints for one arm.
package struct ArmStatistics: Codable, Sendable, Hashable {
    package var arm: String
    package var assignments: Int
    /// Images with an outcome.
    package var count: Int
    /// Mean outcome in [0, 1]; nil without outcomes.
    package var mean: Double?
    /// Mean of the ratings (1...5) among rated images; nil when none is rated.
    package var meanRating: Double?
    /// 95% Wilson interval of the mean ([0, 1] without outcomes).
    package var interval: WilsonInterval
    /// Monte Carlo estimate of P(this arm has the highest success rate) under the Beta posteriors.
    package var probabilityBest: Double
    package var posterior: BetaDistribution

    enum CodingKeys: String, CodingKey {
        case arm, assignments, count, mean
        case meanRating = "mean_rating"
        case interval
        case probabilityBest = "probability_best"
        case posterior
    }
}
