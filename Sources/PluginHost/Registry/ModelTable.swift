import Foundation
import ImagegenJSON
import ImagegenConfig
import ImagegenCore

/// Model name → ordered candidates, built from the plugins' `describe` plus the config.
///
/// Order rule (documented in docs/plugin-abi.md and the README): a plugin loaded after another
/// plugin already served the model, and given no priority in the config, goes last (a new
/// plugin must not take a model's traffic just because its id sorts first); otherwise higher
/// `priority` first (config: `models.<name>.priority` or `providers.<plugin>.priority`,
/// default 0), then the order the plugins were loaded in, then plugin id. Two plugins serving
/// the same name are both kept.
public struct ModelTable: Sendable {
    public struct Candidate: Sendable, Equatable, Codable {
        public var plugin: String
        public var providerModel: String
        /// nil: the price is unknown (reported as null, never as 0).
        public var price: PriceRule?
        public var priority: Int
        public var nsfwAllowed: Bool
        public var limits: SizeLimits
        public var capabilities: [String]
        public var options: [String: JSONValue]
        /// Why the candidate is where it is when that is not its priority: it was loaded after
        /// another plugin already served the model and the config gives it no priority.
        public var orderNote: String?

        enum CodingKeys: String, CodingKey {
            case plugin, price, priority, limits, capabilities, options
            case providerModel = "provider_model", nsfwAllowed = "nsfw_allowed", orderNote = "order_note"
        }

        /// The health key: one circuit per plugin + provider model.
        public var key: String { "\(plugin)/\(providerModel)" }
    }

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var aliases: [String]
        public var candidates: [Candidate]
    }

    public private(set) var entries: [String: Entry] = [:]
    public private(set) var aliases: [String: String] = [:]

    /// - Parameter arrivals: plugin id → when it was first loaded (`PluginSet.arrivals`);
    ///   a plugin missing from it counts as loaded first.
    public init(manifests: [PluginManifest], configuration: Configuration, arrivals: [String: Int] = [:]) {
        func pluginPriority(_ id: String) -> Int { configuration.providers[id]?["priority"]?.int ?? 0 }
        func configuredPriority(_ model: String, _ id: String) -> Bool {
            configuration.models[model]?.priority != nil || configuration.providers[id]?["priority"]?.int != nil
        }
        var byName: [String: [Candidate]] = [:]
        for m in manifests {
            for model in m.models {
                let settings = configuration.models[model.name]
                var price = model.price
                if settings?.priceUnknown == true { price = nil } else if let p = settings?.price { price = p }
                byName[model.name, default: []].append(Candidate(
                    plugin: m.id, providerModel: model.providerModel, price: price,
                    priority: settings?.priority ?? pluginPriority(m.id), nsfwAllowed: model.nsfwAllowed,
                    limits: model.limits, capabilities: model.capabilities, options: model.options))
            }
        }
        // Extra candidates from the config, for plugins that are loaded.
        let loaded = Dictionary(manifests.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, settings) in configuration.models {
            for extra in settings.candidates ?? [] {
                guard let m = loaded[extra.plugin] else { continue }
                let described = m.models.first { $0.providerModel == extra.providerModel }
                byName[name, default: []].append(Candidate(
                    plugin: extra.plugin, providerModel: extra.providerModel, price: extra.price ?? described?.price,
                    priority: extra.priority ?? pluginPriority(extra.plugin),
                    nsfwAllowed: described?.nsfwAllowed ?? m.nsfwAllowed,
                    limits: described?.limits ?? SizeLimits(minSize: 64, maxSize: 2048, maxOutputs: 4),
                    capabilities: described?.capabilities ?? ["text-to-image"], options: described?.options ?? [:]))
            }
        }
        let fromConfig = Set(configuration.models.flatMap { name, s in (s.candidates ?? []).map { "\(name)|\($0.plugin)|\($0.providerModel)" } })
        for (name, found) in byName {
            var candidates = found
            let arrival = { (c: Candidate) in arrivals[c.plugin] ?? 0 }
            let first = candidates.map(arrival).min() ?? 0
            let earlier = { (c: Candidate) in Set(candidates.filter { arrival($0) < arrival(c) }.map(\.plugin)).sorted() }
            for i in candidates.indices {
                let c = candidates[i]
                guard arrival(c) > first, !configuredPriority(name, c.plugin),
                      !fromConfig.contains("\(name)|\(c.plugin)|\(c.providerModel)") else { continue }
                candidates[i].orderNote = "loaded after \(earlier(c).joined(separator: ", ")) already served \(name), with no priority "
                    + "in the config: goes last (set models.\(name).priority or providers.\(c.plugin).priority to change it)"
            }
            let sorted = candidates.sorted { a, b in
                let lateA = a.orderNote != nil, lateB = b.orderNote != nil
                if lateA != lateB { return lateB }
                if a.priority != b.priority { return a.priority > b.priority }
                if arrival(a) != arrival(b) { return arrival(a) < arrival(b) }
                return (a.plugin, a.providerModel) < (b.plugin, b.providerModel)
            }
            entries[name] = Entry(name: name, aliases: [], candidates: sorted)
        }
        var aliasMap = configuration.aliases
        for (name, settings) in configuration.models {
            for alias in settings.aliases ?? [] { aliasMap[alias] = name }
        }
        for (alias, target) in aliasMap where entries[target] != nil && entries[alias] == nil {
            aliases[alias] = target
            entries[target]?.aliases.append(alias)
        }
        for key in entries.keys { entries[key]?.aliases.sort() }
    }

    /// The entry for a model name or alias.
    public func resolve(_ nameOrAlias: String) -> Entry? {
        entries[nameOrAlias] ?? aliases[nameOrAlias].flatMap { entries[$0] }
    }

    public var sortedEntries: [Entry] { entries.values.sorted { $0.name < $1.name } }
}

/// One row of `imagegen models` and `GET /v1/models`.
public struct ModelRecord: Sendable, Codable, Equatable {
    public var name: String
    public var plugin: String
    public var providerModel: String
    /// USD per image, or null when the price is unknown or not per image.
    public var costPerImage: Double?
    public var price: PriceRule?
    public var capabilities: [String]
    public var nsfwAllowed: Bool
    public var aliases: [String]
    public var candidates: [ModelTable.Candidate]

    enum CodingKeys: String, CodingKey {
        case name, plugin, price, capabilities, aliases, candidates
        case providerModel = "provider_model", costPerImage = "cost_per_image", nsfwAllowed = "nsfw_allowed"
    }

    public init(entry: ModelTable.Entry) {
        let first = entry.candidates[0]
        name = entry.name
        plugin = first.plugin
        providerModel = first.providerModel
        costPerImage = first.price?.costPerImage
        price = first.price
        capabilities = first.capabilities
        nsfwAllowed = first.nsfwAllowed
        aliases = entry.aliases
        candidates = entry.candidates
    }

    // Encode nulls explicitly: "unknown" must be visible as null, not as a missing key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(plugin, forKey: .plugin)
        try c.encode(providerModel, forKey: .providerModel)
        try c.encode(costPerImage, forKey: .costPerImage)
        try c.encode(price, forKey: .price)
        try c.encode(capabilities, forKey: .capabilities)
        try c.encode(nsfwAllowed, forKey: .nsfwAllowed)
        try c.encode(aliases, forKey: .aliases)
        try c.encode(candidates, forKey: .candidates)
    }
}
