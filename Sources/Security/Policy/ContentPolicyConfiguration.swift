/// The configurable part of the content policy (the `policy` section of the config):
///
/// ```json
/// "policy": {
///   "protected_names": ["Jane Example"],
///   "non_person_phrases": ["Saint Malo"],
///   "disabled_rules": [],
///   "rules": [{"id": "brand.competitors", "name": "Competitor brands", "terms": ["acme"], "applies_to": "all"}],
///   "allowed_names": ["Jessica Rabbit"], "reclassify_adult": false, "given_names_file": "given-names.txt",
///   "public_figures_file": "public-figures.txt"
/// }
/// ```
public struct ContentPolicyConfiguration: Codable, Sendable, Equatable {
    /// Real people who must never appear in adult content, matched in prompt and negative prompt.
    public var protectedNames: [String]
    /// Capitalised phrases the named-person detector must not take for names (places, brands).
    public var nonPersonPhrases: [String]
    /// Ids of data rules to switch off. Hard blocks cannot be listed here.
    public var disabledRules: [String]
    public var rules: [PolicyRule]
    /// Filled from the top-level `attestation` key at start (`Configuration.ageVerificationAttestation`);
    /// a `policy.adult_attestation` in the config is refused there with a did-you-mean.
    public var adultAttestation: AgeVerificationAttestation?
    /// Names that look like "Given-name Surname" but are not real people (fictional characters,
    /// brands, product lines): the given-name heuristic leaves them alone. Protected names win.
    public var allowedNames: [String]
    /// Adult wording in a request without an adult category: refused (false, the default) or
    /// filed under the matching adult category (true). Never sent to a non-adult route either way.
    public var reclassifyAdult: Bool
    /// A replacement for the shipped given-names list (one name a line), relative to the config
    /// file's folder. Read at start.
    public var givenNamesFile: String?
    /// The given names the real-person heuristic uses; loaded at start (not part of the JSON).
    public var givenNames: GivenNameList = .shipped
    /// A replacement for the shipped public-figures list (one name a line), relative to the config
    /// file's folder. Read at start.
    public var publicFiguresFile: String?
    /// The public figures refused in adult content; loaded at start (not part of the JSON).
    public var publicFigures: PublicFigureList = .shipped

    public init(protectedNames: [String] = [], nonPersonPhrases: [String] = [], disabledRules: [String] = [],
                rules: [PolicyRule] = [], adultAttestation: AgeVerificationAttestation? = nil,
                allowedNames: [String] = [], reclassifyAdult: Bool = false, givenNames: GivenNameList = .shipped) {
        self.protectedNames = protectedNames
        self.nonPersonPhrases = nonPersonPhrases
        self.disabledRules = disabledRules
        self.rules = rules
        self.adultAttestation = adultAttestation
        self.allowedNames = allowedNames
        self.reclassifyAdult = reclassifyAdult
        self.givenNames = givenNames
    }

    enum CodingKeys: String, CodingKey {
        case protectedNames = "protected_names"
        case nonPersonPhrases = "non_person_phrases"
        case disabledRules = "disabled_rules"
        case rules
        case adultAttestation = "adult_attestation"
        case allowedNames = "allowed_names"
        case reclassifyAdult = "reclassify_adult"
        case givenNamesFile = "given_names_file"
        case publicFiguresFile = "public_figures_file"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        protectedNames = try container.decodeIfPresent([String].self, forKey: .protectedNames) ?? []
        nonPersonPhrases = try container.decodeIfPresent([String].self, forKey: .nonPersonPhrases) ?? []
        disabledRules = try container.decodeIfPresent([String].self, forKey: .disabledRules) ?? []
        rules = try container.decodeIfPresent([PolicyRule].self, forKey: .rules) ?? []
        adultAttestation = try container.decodeIfPresent(AgeVerificationAttestation.self, forKey: .adultAttestation)
        allowedNames = try container.decodeIfPresent([String].self, forKey: .allowedNames) ?? []
        reclassifyAdult = try container.decodeIfPresent(Bool.self, forKey: .reclassifyAdult) ?? false
        givenNamesFile = try container.decodeIfPresent(String.self, forKey: .givenNamesFile)
        publicFiguresFile = try container.decodeIfPresent(String.self, forKey: .publicFiguresFile)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(protectedNames, forKey: .protectedNames)
        try container.encode(nonPersonPhrases, forKey: .nonPersonPhrases)
        try container.encode(disabledRules, forKey: .disabledRules)
        try container.encode(rules, forKey: .rules)
        try container.encodeIfPresent(adultAttestation, forKey: .adultAttestation)
        try container.encode(allowedNames, forKey: .allowedNames)
        try container.encode(reclassifyAdult, forKey: .reclassifyAdult)
        try container.encodeIfPresent(givenNamesFile, forKey: .givenNamesFile)
        try container.encodeIfPresent(publicFiguresFile, forKey: .publicFiguresFile)
    }
}

/// Why a policy configuration was refused.
public enum ContentPolicyConfigurationError: Error, CustomStringConvertible, Equatable {
    case cannotDisableHardRule(String)
    case unknownRuleToDisable(String)
    case reservedRuleID(String)
    case duplicateRuleID(String)
    case ruleWithoutTerms(String)

    public var description: String {
        switch self {
        case .cannotDisableHardRule(let id):
            return "policy config: rule \(id) is a compiled-in hard block and cannot be disabled; remove it from disabled_rules"
        case .unknownRuleToDisable(let id):
            return "policy config: disabled_rules lists \(id), which is not a rule; known data rules: \(PolicyRule.explicitOutsideAdultID) and the ids under rules"
        case .reservedRuleID(let id):
            return "policy config: rule id \(id) uses a reserved prefix (hard., routing.); choose another id"
        case .duplicateRuleID(let id):
            return "policy config: rule id \(id) is defined twice; rule ids must be unique"
        case .ruleWithoutTerms(let id):
            return "policy config: rule \(id) has no terms; give it at least one term or remove it"
        }
    }
}
