/// The automatic enhancement applied to the master before any resize. Deliberately gentle:
/// a provider's image is usually already well exposed, and a heavy hand shows.
public struct EnhancementSettings: Codable, Sendable, Equatable {
    /// Stretch the tonal range (black and white points) to use the full 0...255.
    public var levels: Bool
    /// Most fraction of pixels (0...1) the levels stretch may newly clip to pure black or white.
    /// The black and white points are chosen so that this holds exactly.
    public var maxClippedFraction: Double
    /// Most contrast gain of the levels stretch (1 = none), so a flat image is not forced to extremes.
    public var maxGain: Double
    /// Apply a mild unsharp mask.
    public var sharpen: Bool
    /// Standard deviation of the unsharp mask's Gaussian, in pixels (Pillow's "radius").
    public var sharpenSigma: Double
    /// Unsharp-mask strength: 1 adds back the detail the blur removes once more (Pillow's
    /// "percent" / 100). With the default σ of 0.5 px the mask is 3 × 3: a mild, fine sharpen.
    public var sharpenAmount: Double

    public init(levels: Bool = true, maxClippedFraction: Double = 0.005, maxGain: Double = 1.4,
                sharpen: Bool = true, sharpenSigma: Double = 0.5, sharpenAmount: Double = 1.0) {
        self.levels = levels
        self.maxClippedFraction = maxClippedFraction
        self.maxGain = maxGain
        self.sharpen = sharpen
        self.sharpenSigma = sharpenSigma
        self.sharpenAmount = sharpenAmount
    }

    /// No enhancement at all: derivatives are plain resizes of the decoded image.
    public static let off = EnhancementSettings(levels: false, sharpen: false)

    private enum CodingKeys: String, CodingKey {
        case levels, maxClippedFraction, maxGain, sharpen, sharpenSigma, sharpenAmount
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EnhancementSettings()
        levels = try c.decodeIfPresent(Bool.self, forKey: .levels) ?? d.levels
        maxClippedFraction = try c.decodeIfPresent(Double.self, forKey: .maxClippedFraction) ?? d.maxClippedFraction
        maxGain = try c.decodeIfPresent(Double.self, forKey: .maxGain) ?? d.maxGain
        sharpen = try c.decodeIfPresent(Bool.self, forKey: .sharpen) ?? d.sharpen
        sharpenSigma = try c.decodeIfPresent(Double.self, forKey: .sharpenSigma) ?? d.sharpenSigma
        sharpenAmount = try c.decodeIfPresent(Double.self, forKey: .sharpenAmount) ?? d.sharpenAmount
    }

    func problems(in profile: String) -> [String] {
        var found: [String] = []
        let key = "profiles.\(profile).enhancement"
        if !(0...0.2).contains(maxClippedFraction) {
            found.append("\(key).maxClippedFraction must be within 0...0.2, got \(maxClippedFraction)")
        }
        if !(1...4).contains(maxGain) { found.append("\(key).maxGain must be within 1...4, got \(maxGain)") }
        if !(0.3...3).contains(sharpenSigma) { found.append("\(key).sharpenSigma must be within 0.3...3, got \(sharpenSigma)") }
        if !(0...3).contains(sharpenAmount) { found.append("\(key).sharpenAmount must be within 0...3, got \(sharpenAmount)") }
        return found
    }
}
