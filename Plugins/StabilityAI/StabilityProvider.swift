import PluginKit

/// Stability AI: v1 SDXL text-to-image and v2beta Stable Image. Skeleton: describes its models; the
/// API work lands with the providers issue.
public struct StabilityProvider: ImageProvider {
    public static let description = PluginDescription(
        id: "stabilityai", name: "Stability AI", version: "0.1.0", nsfwAllowed: false,
        secrets: ["STABILITY_API_KEY"],
        models: [
            .init(name: "stable-diffusion-xl", providerModel: "stable-diffusion-xl-1024-v1-0", price: .perImage(0.08),
                  limits: ["min_size": 512, "max_size": 1536, "max_outputs": 4]),
        ])

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {}

    public func submit(_ request: GenerationRequest) throws(ProviderError) -> PollResult {
        throw ProviderError(.unsupported, "stability: generation is not implemented in this build")
    }
    public func poll(_ ref: JSONValue) throws(ProviderError) -> PollResult {
        throw ProviderError(.unsupported, "stability: generation is not implemented in this build")
    }
    public func fetch(_ ref: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        throw ProviderError(.unsupported, "stability: generation is not implemented in this build")
    }
    public func cancel(_ ref: JSONValue) throws(ProviderError) {}
}

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(StabilityProvider.self, host: host)
}
