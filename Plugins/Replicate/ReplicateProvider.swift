import PluginKit

/// Replicate (https://replicate.com): predictions API. Skeleton: describes its models; the
/// API work lands with the providers issue.
public struct ReplicateProvider: ImageProvider {
    public static let description = PluginDescription(
        id: "replicate", name: "Replicate", version: "0.1.0", nsfwAllowed: true,
        secrets: ["REPLICATE_API_TOKEN"],
        models: [
            .init(name: "stable-diffusion-v2",
                  providerModel: "stability-ai/stable-diffusion:db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf",
                  price: .perImage(0.05), limits: ["min_size": 64, "max_size": 1024, "max_outputs": 4]),
            .init(name: "realistic-vision-v2",
                  providerModel: "lucataco/realistic-vision-v5:a4a8bafd6089e1716b06057c42b19378250d008b80fe87caac5f36b5b8c8c3e5",
                  price: .perImage(0.08), limits: ["min_size": 64, "max_size": 1536, "max_outputs": 4]),
        ])

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {}

    public func submit(_ request: GenerationRequest) throws(ProviderError) -> PollResult {
        throw ProviderError(.unsupported, "replicate: generation is not implemented in this build")
    }
    public func poll(_ ref: JSONValue) throws(ProviderError) -> PollResult {
        throw ProviderError(.unsupported, "replicate: generation is not implemented in this build")
    }
    public func fetch(_ ref: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        throw ProviderError(.unsupported, "replicate: generation is not implemented in this build")
    }
    public func cancel(_ ref: JSONValue) throws(ProviderError) {}
}

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(ReplicateProvider.self, host: host)
}
