/// One size a derivative is rendered at, named after its use.
public struct DerivativeSize: Codable, Sendable, Equatable {
    /// The variant's name, e.g. "master", "publish", "thumbnail"; it names the stored version.
    public var name: String
    /// Target length of the longer edge in pixels; nil keeps the generated size. An image that
    /// is already smaller is never upscaled.
    public var longEdge: Int?

    public init(name: String, longEdge: Int?) {
        self.name = name
        self.longEdge = longEdge
    }

    public static let master = DerivativeSize(name: "master", longEdge: nil)
    public static let publish = DerivativeSize(name: "publish", longEdge: 1080)
    public static let thumbnail = DerivativeSize(name: "thumbnail", longEdge: 256)

    /// The pixel size of this derivative for a `width` x `height` source: the longer edge
    /// scaled to `longEdge`, the aspect ratio kept (shorter edge rounded, at least 1 px),
    /// never larger than the source.
    func dimensions(forSourceWidth width: Int, height: Int) -> (width: Int, height: Int) {
        guard let longEdge, longEdge < max(width, height) else { return (width, height) }
        let scale = Double(longEdge) / Double(max(width, height))
        if width >= height {
            return (longEdge, max(1, Int((Double(height) * scale).rounded())))
        }
        return (max(1, Int((Double(width) * scale).rounded())), longEdge)
    }

    private enum CodingKeys: String, CodingKey { case name, longEdge }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        longEdge = try c.decodeIfPresent(Int.self, forKey: .longEdge)
        // A nameless size is still usable: name it after its edge.
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? longEdge.map { "\($0)px" } ?? "master"
    }
}
