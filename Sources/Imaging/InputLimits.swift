/// Bounds on what a provider may hand the host, checked from the bytes and the header alone,
/// before any pixel is decoded: a small file that declares a huge image (a decompression
/// bomb) is refused without allocating it.
///
/// The defaults admit the largest outputs of today's providers (4096 x 4096 upscales, long
/// panoramas) while keeping one decoded image under about 100 MB.
public struct InputLimits: Codable, Sendable, Equatable {
    /// Most bytes accepted from a provider.
    public var maxBytes: Int
    public var maxWidth: Int
    public var maxHeight: Int
    /// Most pixels (width x height) accepted.
    public var maxPixels: Int

    public init(maxBytes: Int = 40 * 1024 * 1024, maxWidth: Int = 8192, maxHeight: Int = 8192,
                maxPixels: Int = 25_000_000) {
        self.maxBytes = maxBytes
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.maxPixels = maxPixels
    }

    /// The first limit `width` x `height` breaks, described with its key; nil if within limits.
    func violation(width: Int, height: Int) -> String? {
        if width > maxWidth { return "maxWidth \(maxWidth) (imaging.limits.maxWidth)" }
        if height > maxHeight { return "maxHeight \(maxHeight) (imaging.limits.maxHeight)" }
        if width.multipliedReportingOverflow(by: height).partialValue > maxPixels {
            return "maxPixels \(maxPixels) (imaging.limits.maxPixels)"
        }
        return nil
    }

    private enum CodingKeys: String, CodingKey { case maxBytes, maxWidth, maxHeight, maxPixels }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = InputLimits()
        maxBytes = try c.decodeIfPresent(Int.self, forKey: .maxBytes) ?? d.maxBytes
        maxWidth = try c.decodeIfPresent(Int.self, forKey: .maxWidth) ?? d.maxWidth
        maxHeight = try c.decodeIfPresent(Int.self, forKey: .maxHeight) ?? d.maxHeight
        maxPixels = try c.decodeIfPresent(Int.self, forKey: .maxPixels) ?? d.maxPixels
    }

    func problems() -> [String] {
        var found: [String] = []
        if maxBytes <= 0 { found.append("limits.maxBytes must be positive, got \(maxBytes)") }
        if maxWidth <= 0 { found.append("limits.maxWidth must be positive, got \(maxWidth)") }
        if maxHeight <= 0 { found.append("limits.maxHeight must be positive, got \(maxHeight)") }
        if maxPixels <= 0 { found.append("limits.maxPixels must be positive, got \(maxPixels)") }
        return found
    }
}
