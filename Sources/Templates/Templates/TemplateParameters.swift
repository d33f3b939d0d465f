/// The generation parameters a template asks for: image size, sampling steps and guidance.
///
/// Ranges are the union of what the shipped providers accept; a template outside them is refused when the
/// file loads, so a typo (`steps: 3000`) is caught before it costs money.
public struct TemplateParameters: Codable, Sendable, Hashable {
    public var width: Int
    public var height: Int
    public var steps: Int
    public var guidanceScale: Double

    /// Used for any field a template (and its file's `defaults`) leaves out.
    public static let standard = TemplateParameters(width: 1024, height: 1024, steps: 30, guidanceScale: 7.0)

    public static let sizeRange = 64...4096
    /// Diffusion models work on 8×8 latent blocks; other sizes are silently cropped by providers.
    public static let sizeMultiple = 8
    public static let stepsRange = 1...150
    public static let guidanceScaleRange = 0.0...30.0

    public init(width: Int, height: Int, steps: Int, guidanceScale: Double) {
        self.width = width
        self.height = height
        self.steps = steps
        self.guidanceScale = guidanceScale
    }

    enum CodingKeys: String, CodingKey {
        case width, height, steps
        case guidanceScale = "guidance_scale"
    }
}
