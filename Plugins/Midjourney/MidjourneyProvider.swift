import PluginKit

/// Midjourney, through a wrapper API (midjourney-proxy protocol). Skeleton: describes its models; the
/// API work lands with the providers issue.
public struct MidjourneyProvider: ImageProvider {
    public static let description = PluginDescription(
        id: "midjourney", name: "Midjourney (wrapper API)", version: "0.1.0", nsfwAllowed: false,
        secrets: ["MIDJOURNEY_API_KEY"],
        models: [
            .init(name: "midjourney-v5", providerModel: "5.2", price: .perImage(0.10),
                  limits: ["min_size": 256, "max_size": 2048, "max_outputs": 4]),
            .init(name: "midjourney-v6", providerModel: "6.0", price: .perImage(0.12),
                  limits: ["min_size": 256, "max_size": 2048, "max_outputs": 4]),
        ])

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {}

    public func submit(_ request: GenerationRequest) throws(ProviderError) -> PollResult {
        throw ProviderError(.unsupported, "midjourney: generation is not implemented in this build")
    }
    public func poll(_ ref: JSONValue) throws(ProviderError) -> PollResult {
        throw ProviderError(.unsupported, "midjourney: generation is not implemented in this build")
    }
    public func fetch(_ ref: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        throw ProviderError(.unsupported, "midjourney: generation is not implemented in this build")
    }
    public func cancel(_ ref: JSONValue) throws(ProviderError) {}
}

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(MidjourneyProvider.self, host: host)
}
