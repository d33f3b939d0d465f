/// AVIF output (HEIF container, AV1 codec): the smallest files, but roughly ten times slower
/// to encode than WebP (0.9 s for 1024 x 1024 on this machine), hence off by default.
public struct AVIFOptions: Codable, Sendable, Equatable {
    public var enabled: Bool
    /// Quality factor, 1...100.
    public var quality: Int
    /// CPU effort 0...9: higher is smaller and slower.
    public var effort: Int

    public init(enabled: Bool = false, quality: Int = 50, effort: Int = 4) {
        self.enabled = enabled
        self.quality = quality
        self.effort = effort
    }

    private enum CodingKeys: String, CodingKey { case enabled, quality, effort }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AVIFOptions()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        quality = try c.decodeIfPresent(Int.self, forKey: .quality) ?? d.quality
        effort = try c.decodeIfPresent(Int.self, forKey: .effort) ?? d.effort
    }
}
