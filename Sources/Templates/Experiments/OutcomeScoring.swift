/// Turns an image's rating and quality score into one outcome in [0, 1] for the experiment statistics.
///
/// A rating r in 1...5 becomes (r − 1) / 4 (so 1 → 0, 3 → 0.5, 5 → 1); a quality score q in 0...100 becomes
/// q / 100. When an image has both, the outcome is their weighted mean (equal weights by default: the
/// human rating and the automatic score count the same); when it has neither, it has no outcome yet.
package struct OutcomeScoring: Codable, Sendable, Hashable {
    package var ratingWeight: Double
    package var qualityWeight: Double

    package static let standard = OutcomeScoring(ratingWeight: 1, qualityWeight: 1)

    package init(ratingWeight: Double, qualityWeight: Double) {
        self.ratingWeight = ratingWeight
        self.qualityWeight = qualityWeight
    }

    package func score(rating: Int?, qualityScore: Double?) throws(ExperimentError) -> Double? {
        var weighted = 0.0
        var weights = 0.0
        if let rating {
            guard (1...5).contains(rating) else { throw .ratingOutOfRange(rating) }
            weighted += ratingWeight * Double(rating - 1) / 4
            weights += ratingWeight
        }
        if let qualityScore {
            guard qualityScore.isFinite, (0...100).contains(qualityScore) else { throw .qualityScoreOutOfRange(qualityScore) }
            weighted += qualityWeight * qualityScore / 100
            weights += qualityWeight
        }
        guard weights > 0 else { return nil }
        return weighted / weights
    }

    enum CodingKeys: String, CodingKey {
        case ratingWeight = "rating_weight"
        case qualityWeight = "quality_weight"
    }
}
