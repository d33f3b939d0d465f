import ImagegenJSON
import ImagegenJSON5

/// The keys the sections decoded here may hold, at every depth. Codable ignores a key it does
/// not know, so `budgets: { dialy: 0.01 }` used to load as "no budget at all"; every key is now
/// checked against this outline first, and a near miss is named (`budgets.dialy → did you mean
/// budgets.daily?`). Sections owned by other targets (`server`, `storage`, `policy`, …) are
/// checked by their owners with the same error.
indirect enum ConfigurationSchema: Sendable {
    /// An object with exactly these keys (each optional).
    case object([String: ConfigurationSchema])
    /// An object whose keys are names the operator chooses (models, categories, …).
    case map(ConfigurationSchema)
    case list(ConfigurationSchema)
    /// A scalar, or a value another component reads (its type is checked by the decoder).
    case value

    static let price: ConfigurationSchema = .object([
        "per_image": .value, "per_megapixel": .value, "per_second": .value, "expected_seconds": .value,
        "per_million_tokens": .object(["text_input": .value, "image_input": .value, "image_output": .value,
                                       "text_output": .value, "expected_output_tokens_per_megapixel": .value]),
    ])

    /// The sections `Configuration.parse` decodes itself (`providers.<id>` belong to the plugins).
    static let sections: [String: ConfigurationSchema] = [
        "providers": .map(.value),
        "models": .map(.object([
            "price": price, "price_unknown": .value, "aliases": .list(.value), "priority": .value,
            "candidates": .list(.object(["plugin": .value, "provider_model": .value, "price": price, "priority": .value])),
        ])),
        "aliases": .map(.value),
        "defaults": .object(["model": .value, "category": .value, "width": .value, "height": .value, "steps": .value,
                             "guidance_scale": .value, "max_prompt_length": .value]),
        "budgets": .object(["daily": .value, "monthly": .value, "allow_unpriced": .value, "time_zone": .value,
                            "categories": .map(.object(["daily": .value, "monthly": .value]))]),
        "categories": .map(.object(["adult": .value])),
        "attestation": .object(["attested_by": .value, "attested_at": .value]),
        "jobs": .object(["concurrency": .value, "deadline_seconds": .value, "poll_interval_ms": .value,
                         "submit_attempts": .value]),
        "health": .object(["failure_threshold": .value, "cooldown_seconds": .value, "max_cooldown_seconds": .value]),
        "output_check": .object(Dictionary(uniqueKeysWithValues: OutputCheckSettings.knownKeys.map { ($0, .value) })),
        "retention": .object(Dictionary(uniqueKeysWithValues: RetentionSettings.knownKeys.map { ($0, .value) })),
    ]

    /// Refuses the first key (in sorted order, depth first) this outline does not know, naming its full path.
    func check(_ value: JSONValue, path: String, file: String) throws(ConfigurationError) {
        switch self {
        case .value:
            return
        case .list(let element):
            guard case .array(let items) = value else { return }  // the decoder names the wrong type
            for (index, item) in items.enumerated() {
                try element.check(item, path: "\(path)[\(index)]", file: file)
            }
        case .map(let element):
            guard case .object(let members) = value else { return }
            for key in members.keys.sorted() {
                try element.check(members[key]!, path: "\(path).\(key)", file: file)
            }
        case .object(let known):
            guard case .object(let members) = value else { return }
            for key in members.keys.sorted() {
                guard let schema = known[key] else {
                    throw .unknownKey(file: file, key: "\(path).\(key)", known: known.keys.sorted().map { "\(path).\($0)" })
                }
                try schema.check(members[key]!, path: "\(path).\(key)", file: file)
            }
        }
    }
}

extension ConfigurationError {
    /// "did you mean budgets.daily?" for an unknown key whose last part is near a known one.
    static func suggestion(for key: String, known: [String]) -> String? {
        let last = key.split(separator: ".").last.map(String.init) ?? key
        let lastOfKnown = known.map { $0.split(separator: ".").last.map(String.init) ?? $0 }
        guard let match = KeySuggestion.suggestion(for: last, among: lastOfKnown),
              let index = lastOfKnown.firstIndex(of: match) else { return nil }
        let full = known[index]
        if full.contains(".") { return full }
        let prefix = key.split(separator: ".").dropLast().joined(separator: ".")
        return prefix.isEmpty ? full : "\(prefix).\(full)"
    }
}
