/// Parameter overrides a preference profile asks for (e.g. a channel that publishes 4:5 portraits).
public struct ParameterPreferences: Codable, Sendable, Hashable {
    /// Keeps the template's pixel count and changes its shape.
    public var aspectRatio: AspectRatio?
    public var steps: Int?
    public var guidanceScale: Double?

    public init(aspectRatio: AspectRatio? = nil, steps: Int? = nil, guidanceScale: Double? = nil) {
        self.aspectRatio = aspectRatio
        self.steps = steps
        self.guidanceScale = guidanceScale
    }

    /// The template's parameters with these preferences applied (out-of-range preferences are clamped).
    public func apply(to parameters: TemplateParameters) -> TemplateParameters {
        var result = parameters
        if let aspectRatio {
            let size = aspectRatio.size(keepingAreaOf: parameters)
            result.width = size.width
            result.height = size.height
        }
        if let steps {
            let range = TemplateParameters.stepsRange
            result.steps = min(max(steps, range.lowerBound), range.upperBound)
        }
        if let guidanceScale, guidanceScale.isFinite {
            let range = TemplateParameters.guidanceScaleRange
            result.guidanceScale = min(max(guidanceScale, range.lowerBound), range.upperBound)
        }
        return result
    }

    enum CodingKeys: String, CodingKey {
        case aspectRatio = "aspect_ratio"
        case steps
        case guidanceScale = "guidance_scale"
    }
}
