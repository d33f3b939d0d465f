/// What post-processing produced for one image: its derivatives, in profile order (each size
/// in each enabled format), and a record of the enhancement applied to all of them.
public struct PostProcessingResult: Sendable, Equatable {
    public let derivatives: [ImageDerivative]
    public let enhancement: AppliedEnhancement

    /// The derivative of `variant` in `format`, if the profile produced one.
    public func derivative(_ variant: String, _ format: ImageFormat) -> ImageDerivative? {
        derivatives.first { $0.variant == variant && $0.format == format }
    }
}
