/// The no-reference quality score of one image: the 0–100 score, the normalised components it
/// is composed of, the raw measurements behind them, and the weights used. Codable, so the
/// catalog can keep all of it beside the image (it feeds per-model averages and A/B tests).
public struct QualityReport: Codable, Sendable, Equatable {
    /// 100 × the weighted mean of the components, rounded to one decimal.
    public var score: Double
    public var components: QualityComponents
    public var measurements: QualityMeasurements
    public var weights: QualityWeights

    public init(measurements: QualityMeasurements, weights: QualityWeights) {
        let components = QualityComponents(measurements)
        let weighted = weights.sharpness * components.sharpness + weights.exposure * components.exposure
            + weights.contrast * components.contrast + weights.noise * components.noise
            + weights.colorCast * components.colorCast
        let total = weights.total
        self.score = total > 0 ? (1000 * weighted / total).rounded() / 10 : 0
        self.components = components
        self.measurements = measurements
        self.weights = weights
    }
}
