/// How much each measured component counts in the 0–100 quality score (docs/quality-score.md).
/// Weights are relative: the score divides by their sum, so they need not add up to 1.
public struct QualityWeights: Codable, Sendable, Equatable {
    public var sharpness: Double
    public var exposure: Double
    public var contrast: Double
    public var noise: Double
    public var colorCast: Double

    public init(sharpness: Double = 0.30, exposure: Double = 0.25, contrast: Double = 0.15,
                noise: Double = 0.20, colorCast: Double = 0.10) {
        self.sharpness = sharpness
        self.exposure = exposure
        self.contrast = contrast
        self.noise = noise
        self.colorCast = colorCast
    }

    var total: Double { sharpness + exposure + contrast + noise + colorCast }

    private enum CodingKeys: String, CodingKey { case sharpness, exposure, contrast, noise, colorCast }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = QualityWeights()
        sharpness = try c.decodeIfPresent(Double.self, forKey: .sharpness) ?? d.sharpness
        exposure = try c.decodeIfPresent(Double.self, forKey: .exposure) ?? d.exposure
        contrast = try c.decodeIfPresent(Double.self, forKey: .contrast) ?? d.contrast
        noise = try c.decodeIfPresent(Double.self, forKey: .noise) ?? d.noise
        colorCast = try c.decodeIfPresent(Double.self, forKey: .colorCast) ?? d.colorCast
    }

    public func problems() -> [String] {
        var found: [String] = []
        let all = [("sharpness", sharpness), ("exposure", exposure), ("contrast", contrast), ("noise", noise), ("colorCast", colorCast)]
        for (key, weight) in all where !(weight.isFinite && weight >= 0) {
            found.append("qualityWeights.\(key) must be a finite number of 0 or more, got \(weight)")
        }
        if found.isEmpty && total <= 0 { found.append("qualityWeights are all 0; give at least one component a weight") }
        return found
    }
}
