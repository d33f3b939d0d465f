/// JPEG output: readable everywhere; progressive files load coarse-to-fine on the web.
public struct JPEGOptions: Codable, Sendable, Equatable {
    public var enabled: Bool
    /// libjpeg quality factor, 1...100.
    public var quality: Int
    /// Write a progressive (interlaced) JPEG.
    public var progressive: Bool
    /// Colour transparent areas are composited onto (JPEG has no alpha).
    public var background: RGBColor

    public init(enabled: Bool = true, quality: Int = 85, progressive: Bool = true, background: RGBColor = .white) {
        self.enabled = enabled
        self.quality = quality
        self.progressive = progressive
        self.background = background
    }

    private enum CodingKeys: String, CodingKey { case enabled, quality, progressive, background }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = JPEGOptions()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        quality = try c.decodeIfPresent(Int.self, forKey: .quality) ?? d.quality
        progressive = try c.decodeIfPresent(Bool.self, forKey: .progressive) ?? d.progressive
        background = try c.decodeIfPresent(RGBColor.self, forKey: .background) ?? d.background
    }
}
