/// Lossy WebP output: smaller than JPEG at the same look, supported by all current browsers.
public struct WebPOptions: Codable, Sendable, Equatable {
    public var enabled: Bool
    /// libwebp quality factor, 1...100.
    public var quality: Int
    /// CPU effort 0...6 (libwebp `method`): higher is smaller and slower. The default is 2, not
    /// libwebp's 4, because WebP encoding is most of the pipeline's CPU and effort 2 is what
    /// lets two workers on two cores reach the 15 images/s target. With Debian 12's libwebp
    /// 1.2.4, for the benchmark's 1024 × 1024 image (Benchmarks/imaging/README.md; CPU times on
    /// a quiet machine):
    ///
    /// | effort | WebP encode, 1024² | pipeline CPU/image | master + thumbnail WebP |
    /// |---|---|---|---|
    /// | 2 | ≈ 50 ms | ≈ 105 ms | 84 150 B (+6.5 %) |
    /// | 3 | ≈ 100 ms | ≈ 150 ms | 78 820 B (−0.2 %) |
    /// | 4 | ≈ 100 ms | ≈ 150 ms | 79 004 B |
    ///
    /// Effort 3 saves almost no time in libwebp 1.2.4 (it uses the same rate-distortion level and
    /// token buffer as 4), so it cannot meet the target; 2 is the cheapest setting that does.
    /// Raise it to 4 where file size matters more than throughput.
    public var effort: Int

    public init(enabled: Bool = true, quality: Int = 80, effort: Int = 2) {
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
