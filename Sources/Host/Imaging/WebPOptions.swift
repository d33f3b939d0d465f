/// Lossy WebP output: smaller than JPEG at the same look, supported by all current browsers.
public struct WebPOptions: Codable, Sendable, Equatable {
    public var enabled: Bool
    /// libwebp quality factor, 1...100.
    public var quality: Int
    /// CPU effort 0...6 (libwebp `method`): higher is smaller and slower; 4 is libwebp's default.
    public var effort: Int

    public init(enabled: Bool = true, quality: Int = 80, effort: Int = 4) {
        self.enabled = enabled
        self.quality = quality
        self.effort = effort
    }

    private enum CodingKeys: String, CodingKey { case enabled, quality, effort }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = WebPOptions()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        quality = try c.decodeIfPresent(Int.self, forKey: .quality) ?? d.quality
        effort = try c.decodeIfPresent(Int.self, forKey: .effort) ?? d.effort
    }
}
