/// Which encodings each derivative is written in. Every derivative is written in every
/// enabled format, always with metadata stripped.
public struct OutputFormats: Codable, Sendable, Equatable {
    public var jpeg: JPEGOptions
    public var webp: WebPOptions
    public var avif: AVIFOptions

    public init(jpeg: JPEGOptions = JPEGOptions(), webp: WebPOptions = WebPOptions(), avif: AVIFOptions = AVIFOptions()) {
        self.jpeg = jpeg
        self.webp = webp
        self.avif = avif
    }

    /// The enabled encodings, in a fixed order (JPEG, WebP, AVIF).
    var encodings: [ImageEncoding] {
        var list: [ImageEncoding] = []
        if jpeg.enabled { list.append(.jpeg(quality: jpeg.quality, progressive: jpeg.progressive, background: jpeg.background)) }
        if webp.enabled { list.append(.webp(quality: webp.quality, effort: webp.effort)) }
        if avif.enabled { list.append(.avif(quality: avif.quality, effort: avif.effort)) }
        return list
    }

    private enum CodingKeys: String, CodingKey { case jpeg, webp, avif }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        jpeg = try c.decodeIfPresent(JPEGOptions.self, forKey: .jpeg) ?? JPEGOptions()
        webp = try c.decodeIfPresent(WebPOptions.self, forKey: .webp) ?? WebPOptions()
        avif = try c.decodeIfPresent(AVIFOptions.self, forKey: .avif) ?? AVIFOptions()
    }

    func problems(in profile: String) -> [String] {
        var found: [String] = []
        let key = "profiles.\(profile).formats"
        if !(1...100).contains(jpeg.quality) { found.append("\(key).jpeg.quality must be within 1...100, got \(jpeg.quality)") }
        if !(1...100).contains(webp.quality) { found.append("\(key).webp.quality must be within 1...100, got \(webp.quality)") }
        if !(0...6).contains(webp.effort) { found.append("\(key).webp.effort must be within 0...6, got \(webp.effort)") }
        if !(1...100).contains(avif.quality) { found.append("\(key).avif.quality must be within 1...100, got \(avif.quality)") }
        if !(0...9).contains(avif.effort) { found.append("\(key).avif.effort must be within 0...9, got \(avif.effort)") }
        if encodings.isEmpty { found.append("\(key) enables no format; enable at least one of jpeg, webp, avif") }
        return found
    }
}
