/// Thresholds behind the report's suggestions (config `reports` section). Quality is on the
/// 0–100 scale of the automatic quality score.
package struct ReportSettings: Sendable, Hashable, Codable {
    /// A cheaper model is suggested when its mean quality is at most this many points below.
    package var qualityMargin: Double
    /// Fewest observations behind any per-model, per-template or per-provider figure used in a suggestion.
    package var minSamples: Int
    /// Templates whose mean quality is below this are flagged.
    package var lowQualityThreshold: Double
    /// Templates content-filtered at least this share of their judged attempts are flagged.
    package var contentFilterRate: Double
    /// An experiment is ready when its leader's probability of being best reaches this…
    package var promoteProbability: Double
    /// …and every arm has at least this many samples.
    package var minArmSamples: Int
    /// A provider trends up when its p50 grew by this factor over the previous period…
    package var latencyTrendRatio: Double
    /// …or its failure rate grew by this many points (0–1).
    package var failureTrendIncrease: Double

    package init(qualityMargin: Double = 5, minSamples: Int = 5, lowQualityThreshold: Double = 50,
                contentFilterRate: Double = 0.2, promoteProbability: Double = 0.95, minArmSamples: Int = 30,
                latencyTrendRatio: Double = 1.3, failureTrendIncrease: Double = 0.1) {
        self.qualityMargin = qualityMargin
        self.minSamples = minSamples
        self.lowQualityThreshold = lowQualityThreshold
        self.contentFilterRate = contentFilterRate
        self.promoteProbability = promoteProbability
        self.minArmSamples = minArmSamples
        self.latencyTrendRatio = latencyTrendRatio
        self.failureTrendIncrease = failureTrendIncrease
    }
}
