import PluginKit

/// Which Stability API a provider model id is served by.
///
/// v1 (`/v1/generation/{engine}/text-to-image`) takes JSON with width/height and several
/// samples; v2beta Stable Image (`/v2beta/stable-image/generate/{core,ultra,sd3}`) takes
/// multipart/form-data with an aspect ratio and returns one image per request. Engine ids come
/// and go (SD 2.x disappeared in 2025), so anything not recognised as v2beta is sent to v1 as
/// an engine id and a 404 there is reported as an unavailable model.
enum StabilityRoute: Sendable, Equatable {
    case v1(engine: String)
    case core
    case ultra
    /// The sd3 endpoint with its `model` field (sd3.5-large, sd3.5-large-turbo, ...).
    case sd3(model: String)
    /// `/v2beta/stable-image/upscale/fast`: the input image at 4x, nothing generated.
    case fastUpscale

    init(providerModel id: String) {
        switch id {
        case "stable-image-core": self = .core
        case "stable-image-ultra": self = .ultra
        case "stable-fast-upscale": self = .fastUpscale
        case let m where m.hasPrefix("sd3"): self = .sd3(model: m)
        default: self = .v1(engine: id)
        }
    }

    var path: String {
        switch self {
        case .v1(let engine): return "/v1/generation/\(engine)/text-to-image"
        case .core: return "/v2beta/stable-image/generate/core"
        case .ultra: return "/v2beta/stable-image/generate/ultra"
        case .sd3: return "/v2beta/stable-image/generate/sd3"
        case .fastUpscale: return "/v2beta/stable-image/upscale/fast"
        }
    }

    var isV1: Bool { if case .v1 = self { return true }; return false }
}
