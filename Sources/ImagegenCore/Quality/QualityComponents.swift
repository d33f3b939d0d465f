import Foundation

/// Each measurement mapped to 0...1, where 1 is best, so components can be weighed together.
/// The curves and their constants are documented in docs/quality-score.md.
public struct QualityComponents: Codable, Sendable, Equatable {
    public var sharpness: Double
    public var exposure: Double
    public var contrast: Double
    public var noise: Double
    public var colorCast: Double

    public init(sharpness: Double, exposure: Double, contrast: Double, noise: Double, colorCast: Double) {
        self.sharpness = sharpness
        self.exposure = exposure
        self.contrast = contrast
        self.noise = noise
        self.colorCast = colorCast
    }

    public init(_ m: QualityMeasurements) {
        self.init(sharpness: Self.sharpness(laplacianVariance: m.laplacianVariance),
                  exposure: Self.exposure(clippedFraction: m.shadowClipFraction + m.highlightClipFraction),
                  contrast: Self.contrast(rms: m.rmsContrast),
                  noise: Self.noise(sigma: m.noiseSigma),
                  colorCast: Self.colorCast(distance: m.colorCastDistance))
    }

    /// Saturating: a Laplacian variance of `sharpnessScale` gives 0.63, three times it 0.95.
    static let sharpnessScale = 300.0
    static func sharpness(laplacianVariance: Double) -> Double {
        1 - exp(-max(0, laplacianVariance) / sharpnessScale)
    }

    /// Up to 1 % of pixels clipped costs nothing (speculars, deep shadows); from there the
    /// component falls linearly to 0 at 25 % clipped.
    static let tolerableClipFraction = 0.01
    static let worstClipFraction = 0.25
    static func exposure(clippedFraction: Double) -> Double {
        clamp01(1 - (clippedFraction - tolerableClipFraction) / (worstClipFraction - tolerableClipFraction))
    }

    /// RMS contrast rises linearly to 1 at 0.20 (a typical well-exposed photograph is 0.2–0.3).
    static let fullContrast = 0.20
    static func contrast(rms: Double) -> Double { clamp01(rms / fullContrast) }

    /// 1 / (1 + (σ / 4)²): σ = 1 grey level gives 0.94, σ = 4 gives 0.5, σ = 8 gives 0.2.
    static let noiseHalfPoint = 4.0
    static func noise(sigma: Double) -> Double {
        1 / (1 + (max(0, sigma) / noiseHalfPoint) * (max(0, sigma) / noiseHalfPoint))
    }

    /// 1 / (1 + (d / 20)²): a mean 5 ΔE off neutral gives 0.94, 20 gives 0.5, 40 gives 0.2.
    /// Gentle, because a deliberately warm or cool image also moves the mean.
    static let colorCastHalfPoint = 20.0
    static func colorCast(distance: Double) -> Double {
        1 / (1 + (distance / colorCastHalfPoint) * (distance / colorCastHalfPoint))
    }

    private static func clamp01(_ value: Double) -> Double { min(1, max(0, value)) }
}
