import Foundation
import ImagegenJSON
import ImagegenCore

/// A plugin's `describe` output, checked. Anything the host relies on is validated here so a
/// bad description is refused at load time with the reason, never discovered mid-job.
public struct PluginManifest: Sendable, Equatable {
    public var id: String
    public var name: String
    public var version: String
    /// Whether the provider's terms allow adult (non-explicit) content.
    public var nsfwAllowed: Bool
    public var threadSafe: Bool
    public var idempotentSubmit: Bool
    /// Secrets the provider cannot work without: a candidate whose plugin misses one is not
    /// routed to (`route` and `health` name the variable).
    public var secrets: [String]
    public var models: [ModelDescription]
    /// Secrets used when set (e.g. basic auth of a local server started with a login).
    public var optionalSecrets: [String] = []

    /// The first required secret `source` does not have, or nil.
    public func missingSecret(in source: any SecretSource) -> String? {
        secrets.first { source.secret(named: $0) == nil }
    }

    public struct ModelDescription: Sendable, Equatable {
        public var name: String
        public var providerModel: String
        public var price: PriceRule?
        public var capabilities: [String]
        public var nsfwAllowed: Bool
        public var limits: SizeLimits
        public var options: [String: JSONValue]
    }

    /// Parses and checks; the error string says what is wrong, for the refusal message.
    public static func parse(_ bytes: [UInt8]) -> Result<PluginManifest, ManifestProblem> {
        guard let root = JSONValue.parse(bytes), let o = root.object else {
            return .failure(.init("describe returned malformed JSON (\(bytes.count) bytes)"))
        }
        guard let schema = o["schema"]?.int else { return .failure(.init("describe JSON has no \"schema\" number")) }
        guard schema == 1 else { return .failure(.init("describe JSON has schema \(schema); this host reads schema 1")) }
        guard let id = o["id"]?.string, PluginManifest.isValidID(id) else {
            return .failure(.init("describe JSON needs \"id\": a lower-case name of letters, digits, '-' or '_'"))
        }
        guard let version = o["version"]?.string, !version.isEmpty else {
            return .failure(.init("describe JSON needs a \"version\" string"))
        }
        guard let models = o["models"]?.array else { return .failure(.init("describe JSON needs a \"models\" list")) }
        let pluginNSFW = o["nsfw_allowed"]?.bool ?? false
        var parsed: [ModelDescription] = []
        var seen = Set<String>()
        for (i, m) in models.enumerated() {
            guard let name = m["name"]?.string, !name.isEmpty else {
                return .failure(.init("models[\(i)] has no \"name\""))
            }
            guard let providerModel = m["provider_model"]?.string, !providerModel.isEmpty else {
                return .failure(.init("models[\(i)] (\(name)) has no \"provider_model\""))
            }
            guard seen.insert(name).inserted else { return .failure(.init("model \"\(name)\" is listed twice")) }
            var price: PriceRule?
            if let p = m["price"], !p.isNull {
                // try?: the else branch refuses the manifest with the field's name
                guard let rule = try? JSONDecoder().decode(PriceRule.self, from: p.encoded()) else {
                    return .failure(.init("models[\(i)] (\(name)) has an invalid \"price\": use {\"per_image\": USD}, {\"per_megapixel\": USD}, {\"per_second\": USD} or {\"per_million_tokens\": {…}}"))
                }
                price = rule
            }
            let limits = m["limits"]
            parsed.append(ModelDescription(
                name: name, providerModel: providerModel, price: price,
                capabilities: m["capabilities"]?.array?.compactMap(\.string) ?? ["text-to-image"],
                nsfwAllowed: pluginNSFW && (m["nsfw_allowed"]?.bool ?? true),
                limits: SizeLimits(minSize: limits?["min_size"]?.int ?? 64, maxSize: limits?["max_size"]?.int ?? 2048,
                                   maxOutputs: limits?["max_outputs"]?.int ?? 4),
                options: m["options"]?.object ?? [:]))
        }
        return .success(PluginManifest(
            id: id, name: o["name"]?.string ?? id, version: version, nsfwAllowed: pluginNSFW,
            threadSafe: o["thread_safe"]?.bool ?? false, idempotentSubmit: o["idempotent_submit"]?.bool ?? false,
            secrets: o["secrets"]?.array?.compactMap(\.string) ?? [], models: parsed,
            optionalSecrets: o["optional_secrets"]?.array?.compactMap(\.string) ?? []))
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }
}

public struct ManifestProblem: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}

/// Image size limits of a model (pixels per side) and outputs per job.
public struct SizeLimits: Sendable, Equatable, Codable {
    public var minSize: Int
    public var maxSize: Int
    public var maxOutputs: Int
    enum CodingKeys: String, CodingKey {
        case minSize = "min_size", maxSize = "max_size", maxOutputs = "max_outputs"
    }
}
