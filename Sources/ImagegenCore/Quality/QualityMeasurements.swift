/// The raw, no-reference measurements behind the quality score, in natural units.
/// docs/quality-score.md says how each is measured.
public struct QualityMeasurements: Codable, Sendable, Equatable {
    /// Variance of the Laplacian of the luminance, on the image scaled to a 512 px long edge,
    /// less the share white noise contributes (20σ² for the noise σ at that scale), in grey
    /// levels squared. Higher means more fine detail and crisper edges.
    public var laplacianVariance: Double
    /// Fraction of pixels whose luminance is crushed to black (0...3 of 255).
    public var shadowClipFraction: Double
    /// Fraction of pixels whose luminance is blown to white (252...255 of 255).
    public var highlightClipFraction: Double
    /// Mean luminance, 0 (black) ... 1 (white).
    public var meanLuminance: Double
    /// RMS contrast: standard deviation of the luminance divided by 255 (0 ... 0.5).
    public var rmsContrast: Double
    /// Estimated standard deviation of the noise, in grey levels (of 255), from flat areas.
    public var noiseSigma: Double
    /// Mean CIELAB a* (green − / red +) over the image.
    public var meanA: Double
    /// Mean CIELAB b* (blue − / yellow +) over the image.
    public var meanB: Double
    /// Distance of the mean colour from neutral grey: sqrt(meanA² + meanB²), in ΔE*ab units.
    public var colorCastDistance: Double

    public init(laplacianVariance: Double, shadowClipFraction: Double, highlightClipFraction: Double,
                meanLuminance: Double, rmsContrast: Double, noiseSigma: Double, meanA: Double, meanB: Double) {
        self.laplacianVariance = laplacianVariance
        self.shadowClipFraction = shadowClipFraction
        self.highlightClipFraction = highlightClipFraction
        self.meanLuminance = meanLuminance
        self.rmsContrast = rmsContrast
        self.noiseSigma = noiseSigma
        self.meanA = meanA
        self.meanB = meanB
        self.colorCastDistance = (meanA * meanA + meanB * meanB).squareRoot()
    }
}
