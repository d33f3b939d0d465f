/// What a request asks a provider to do: draw from the prompt, vary a stored image, or
/// upscale one. Kept on the job as `extra["kind"]` (with `parent_id`, `strength`, `scale`), so
/// a resumed job still knows its source image and the catalog schema does not change.
public enum GenerationKind: String, Sendable, Codable, Equatable, CaseIterable {
    case generate, vary, upscale

    /// The capability a model must declare in `describe` to be sent this kind.
    public var capability: String {
        switch self {
        case .generate: return "text-to-image"
        case .vary: return "image-to-image"
        case .upscale: return "upscale"
        }
    }

    /// The keys a derived job records in its `extra` (and its image inherits).
    public static let extraKeys = ["kind", "strength", "scale"]

    /// The kind a job's `extra` records; a job from before this field is a `generate`.
    public init(extra: [String: String]) {
        self = extra["kind"].flatMap(GenerationKind.init(rawValue:)) ?? .generate
    }
}
