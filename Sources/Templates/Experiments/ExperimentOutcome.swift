/// The outcome of one generated image of an experiment: its arm, and its rating and/or quality score.
///
/// One per image, with the image's latest rating: statistics are recomputed from these rather than
/// accumulated, so re-rating an image replaces its outcome instead of counting twice.
public struct ExperimentOutcome: Codable, Sendable, Hashable {
    public var arm: String
    /// 1...5, from `imagegen images rate` or the API.
    public var rating: Int?
    /// 0...100, from the automatic quality scorer.
    public var qualityScore: Double?

    public init(arm: String, rating: Int? = nil, qualityScore: Double? = nil) {
        self.arm = arm
        self.rating = rating
        self.qualityScore = qualityScore
    }

    enum CodingKeys: String, CodingKey {
        case arm, rating
        case qualityScore = "quality_score"
    }
}
