import Foundation

/// The content policy, enforced before any provider sees a request and on every template when
/// it is loaded.
///
/// Order of evaluation: the hard blocks (compiled in, in a fixed order, first hit wins), then
/// the data rules. A hard block always wins over a data rule, so no configured rule can be used
/// to mask one.
public struct ContentPolicy: Sendable {
    /// Longer prompts are refused outright: no provider needs them and they cost the scanner.
    public static let maximumPromptLength = 20_000

    public let configuration: ContentPolicyConfiguration
    let scanner: PolicySignalScanner
    let activeRules: [PolicyRule]
    let explicitOutsideAdultEnabled: Bool

    /// Ids of the compiled-in rules that configuration cannot lift.
    public static var hardRuleIDs: [String] { HardBlockRule.all.map(\.id) + [HardBlockRule.promptLengthRuleID] }

    public init(configuration: ContentPolicyConfiguration = ContentPolicyConfiguration()) throws {
        let hard = Set(Self.hardRuleIDs)
        var ids: Set<String> = [PolicyRule.explicitOutsideAdultID]
        for rule in configuration.rules {
            if rule.id.hasPrefix("hard.") || rule.id.hasPrefix("routing.") { throw ContentPolicyConfigurationError.reservedRuleID(rule.id) }
            guard ids.insert(rule.id).inserted else { throw ContentPolicyConfigurationError.duplicateRuleID(rule.id) }
            guard rule.terms.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
                throw ContentPolicyConfigurationError.ruleWithoutTerms(rule.id)
            }
        }
        for id in configuration.disabledRules {
            if hard.contains(id) || id.hasPrefix("hard.") || id.hasPrefix("routing.") {
                throw ContentPolicyConfigurationError.cannotDisableHardRule(id)
            }
            guard ids.contains(id) else { throw ContentPolicyConfigurationError.unknownRuleToDisable(id) }
        }
        let disabled = Set(configuration.disabledRules)
        self.configuration = configuration
        self.activeRules = configuration.rules.filter { !disabled.contains($0.id) }
        self.explicitOutsideAdultEnabled = !disabled.contains(PolicyRule.explicitOutsideAdultID)
        let ruleEntries = activeRules.flatMap { rule in rule.terms.map { (PolicyTextNormalizer.fold($0), rule.id) } }
        self.scanner = PolicySignalScanner(
            protectedNames: configuration.publicFigures.lexicon(adding: configuration.protectedNames),
            ruleTerms: PolicyLexicon(ruleEntries),
            nonPersonPhrases: Set(configuration.nonPersonPhrases.map {
                PolicyTextNormalizer.tokens($0).map(\.text).joined(separator: " ")
            }),
            givenNames: configuration.givenNames,
            allowedNames: Set((configuration.allowedNames + configuration.nonPersonPhrases).map {
                PolicyTextNormalizer.tokens($0).map(\.text).joined(separator: " ")
            }))
    }

    /// Checks one request. `category` is only used in messages; `isAdultCategory` comes from the
    /// template set's flag for that category.
    public func evaluate(prompt: String, negativePrompt: String? = nil, category: String,
                         isAdultCategory: Bool) -> PolicyDecision {
        if let refusal = lengthRefusal(prompt: prompt, negativePrompt: negativePrompt) { return .refused(refusal) }
        let positive = scanner.scan(prompt, detectNamedPersons: true)
        let negative = scanner.scan(negativePrompt ?? "", detectNamedPersons: false)
        return decide(prompt: positive, negative: negative, category: category, isAdultCategory: isAdultCategory)
    }

    /// Applies the rules to signals already found (also used to combine template values).
    func decide(prompt: PolicySignals, negative: PolicySignals, category: String, isAdultCategory: Bool) -> PolicyDecision {
        for rule in HardBlockRule.all {
            if let refusal = rule.evaluate(prompt: prompt, negative: negative, isAdultCategory: isAdultCategory) {
                return .refused(refusal)
            }
        }
        if explicitOutsideAdultEnabled, !isAdultCategory, prompt.has(.explicitSexual) {
            return .refused(PolicyRefusal(
                ruleID: PolicyRule.explicitOutsideAdultID, ruleName: PolicyRule.explicitOutsideAdultName,
                message: "category '\(category)' is not an adult category, and the prompt asks for explicit content; use an adult category (with an attestation and an nsfw_allowed model)",
                isHardBlock: false, triggers: prompt.terms([.explicitSexual])))
        }
        // Not data: adult wording never goes out under a non-adult category (whose route may be
        // a provider whose terms forbid it). The pipeline refuses earlier with the category
        // names, or reclassifies (policy.reclassify_adult); this is the backstop for every path.
        if !isAdultCategory, case let wording = Self.adultWording(prompt), !wording.isEmpty {
            return .refused(Self.adultOutsideAdultRefusal(category: category, adultCategories: nil, triggers: wording))
        }
        for rule in activeRules where rule.appliesTo.applies(isAdultCategory: isAdultCategory) {
            let terms = (prompt.ruleMatches[rule.id] ?? []) + (rule.checkNegativePrompt ? negative.ruleMatches[rule.id] ?? [] : [])
            guard !terms.isEmpty else { continue }
            return .refused(PolicyRefusal(ruleID: rule.id, ruleName: rule.name,
                                          message: rule.message ?? "the request contains a term that rule '\(rule.name)' refuses",
                                          isHardBlock: false, triggers: terms))
        }
        return .allowed
    }

    func lengthRefusal(prompt: String, negativePrompt: String?) -> PolicyRefusal? {
        let longest = max(prompt.count, negativePrompt?.count ?? 0)
        guard longest > Self.maximumPromptLength else { return nil }
        return PolicyRefusal(ruleID: HardBlockRule.promptLengthRuleID, ruleName: HardBlockRule.promptLengthRuleName,
                             message: "a prompt has \(longest) characters; the limit is \(Self.maximumPromptLength)",
                             isHardBlock: true)
    }

    // MARK: - Adult routing

    /// Whether a request may go to a model: adult categories need the operator's age-verification
    /// attestation and a model whose plugin declares `nsfw_allowed`. The router calls this per
    /// candidate and skips refused ones; if none is left, the first refusal is the request's error.
    public static func checkRouting(isAdultCategory: Bool, modelAllowsNSFW: Bool,
                                    attestation: AgeVerificationAttestation?, now: Date = Date()) -> PolicyDecision {
        guard isAdultCategory else { return .allowed }
        guard let attestation else {
            return .refused(PolicyRefusal(
                ruleID: Self.attestationRuleID, ruleName: "Adult categories need an age-verification attestation",
                message: "adult categories are refused until the operator records an age-verification attestation: set attestation: { attested_by: \"name\", attested_at: \"YYYY-MM-DD\" } in the config",
                isHardBlock: false))
        }
        if let problem = attestation.problem(now: now) {
            return .refused(PolicyRefusal(
                ruleID: Self.attestationRuleID, ruleName: "Adult categories need an age-verification attestation",
                message: "the age-verification attestation cannot be used: \(problem); fix attestation in the config",
                isHardBlock: false))
        }
        guard modelMayServe(isAdultCategory: isAdultCategory, modelAllowsNSFW: modelAllowsNSFW) else {
            return .refused(PolicyRefusal(
                ruleID: Self.nsfwModelRuleID, ruleName: "Adult categories only on nsfw_allowed models",
                message: "this model's plugin does not declare nsfw_allowed (its provider's terms forbid adult content); route adult categories to a model that allows it",
                isHardBlock: false))
        }
        return .allowed
    }

    /// The model half of the adult rule, for the router and the pricing of candidates (which
    /// filter per candidate and check the attestation once per request): adult categories only
    /// go to models whose plugin declares `nsfw_allowed`.
    public static func modelMayServe(isAdultCategory: Bool, modelAllowsNSFW: Bool) -> Bool {
        !isAdultCategory || modelAllowsNSFW
    }

    /// `checkRouting` with the configured attestation.
    public func checkRouting(isAdultCategory: Bool, modelAllowsNSFW: Bool, now: Date = Date()) -> PolicyDecision {
        Self.checkRouting(isAdultCategory: isAdultCategory, modelAllowsNSFW: modelAllowsNSFW,
                          attestation: configuration.adultAttestation, now: now)
    }
}
