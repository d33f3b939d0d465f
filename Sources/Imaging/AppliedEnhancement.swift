/// What auto-enhancement did to an image, for the record (stored beside the derivatives).
public struct AppliedEnhancement: Codable, Sendable, Equatable {
    /// Input value stretched to black, or nil when no levels stretch was applied.
    public var blackPoint: Double?
    /// Input value stretched to white, or nil when no levels stretch was applied.
    public var whitePoint: Double?
    /// Fraction of pixels the stretch newly clipped to pure black or white (0 when none applied).
    public var clippedFraction: Double
    /// Whether the mild sharpen ran.
    public var sharpened: Bool

    public init(blackPoint: Double? = nil, whitePoint: Double? = nil, clippedFraction: Double = 0, sharpened: Bool = false) {
        self.blackPoint = blackPoint
        self.whitePoint = whitePoint
        self.clippedFraction = clippedFraction
        self.sharpened = sharpened
    }
}
