/// The two checks that must come before anything else looks at a request: the hard blocks
/// alone (so a hard line is the first answer, ahead of the attestation, budgets, quotas and
/// routing), and adult wording outside adult categories (so adult content is never filed under
/// a non-adult category — the default one included — and sent to a provider whose terms forbid it).
extension ContentPolicy {
    /// Adult wording (lingerie, nudity, sensual or erotic terms, EN and FR) in a request whose
    /// category is not adult. Its id has the reserved `routing.` prefix: it cannot be disabled.
    public static let adultOutsideAdultRuleID = "routing.adult.category"
    static let adultOutsideAdultRuleName = "Adult content only in adult categories"

    /// The hard blocks (and the prompt length limit) only, in their fixed order.
    public func checkHardBlocks(prompt: String, negativePrompt: String?, isAdultCategory: Bool) -> PolicyDecision {
        if let refusal = lengthRefusal(prompt: prompt, negativePrompt: negativePrompt) { return .refused(refusal) }
        let positive = scanner.scan(prompt, detectNamedPersons: true)
        let negative = scanner.scan(negativePrompt ?? "", detectNamedPersons: false)
        for rule in HardBlockRule.all {
            if let refusal = rule.evaluate(prompt: positive, negative: negative, isAdultCategory: isAdultCategory) {
                return .refused(refusal)
            }
        }
        return .allowed
    }

    /// The adult words of a prompt, empty when it has none: explicit words always; suggestive
    /// ones (lingerie, sexy, sensual) with a person in the picture, or when adult on their own
    /// (boudoir, seductive) — "sexy sports car" and "lingerie on a mannequin" are products.
    public func adultWording(in prompt: String) -> [String] {
        Self.adultWording(scanner.scan(prompt, detectNamedPersons: false))
    }

    static func adultWording(_ signals: PolicySignals) -> [String] {
        let suggestive = signals.terms([.suggestive])
        let counts = signals.has(.person) || suggestive.contains { PolicyVocabulary.adultOnTheirOwn.contains($0) }
        return signals.terms([.explicitSexual]) + (counts ? suggestive : [])
    }

    /// The refusal for adult wording outside adult categories, naming the categories to use.
    public static func adultOutsideAdultRefusal(category: String, adultCategories: [String]?, triggers: [String]) -> PolicyRefusal {
        let use: String
        switch adultCategories {
        case nil: use = "use an adult category"
        case let names? where names.isEmpty: use = "no adult category is configured (add one with adult: true)"
        case let names?: use = "use an adult category: \(names.joined(separator: ", "))"
        }
        return PolicyRefusal(
            ruleID: adultOutsideAdultRuleID, ruleName: adultOutsideAdultRuleName,
            message: "the prompt has adult wording (lingerie, nudity, sensual or erotic terms) and category '\(category)' is not an adult category; \(use), or set policy.reclassify_adult: true to file such requests there automatically",
            isHardBlock: false, triggers: triggers)
    }

    /// The adult category a request with adult wording belongs in: the one whose name shares a
    /// word with the prompt ("lingerie", "nude"), else the only one; nil when none or ambiguous.
    public func matchingAdultCategory(prompt: String, adultCategories: [String]) -> String? {
        let words = Set(PolicyTextNormalizer.tokens(prompt).flatMap { token in
            token.forms.flatMap { PolicyLexicon<Bool>.lookups($0) }
        } + adultWording(in: prompt).flatMap { $0.split(separator: " ").map(String.init) })
        let scored = adultCategories.map { category -> (String, Int) in
            let parts = PolicyTextNormalizer.tokens(category.replacingOccurrences(of: "_", with: " ")).map(\.text)
            let score = parts.filter { $0.count >= 3 && (words.contains($0) || words.contains($0 + "s")
                                                         || ($0.hasSuffix("s") && words.contains(String($0.dropLast())))) }.count
            return (category, score)
        }
        let best = scored.map(\.1).max() ?? 0
        if best > 0 {
            let top = scored.filter { $0.1 == best }
            return top.count == 1 ? top[0].0 : nil
        }
        return adultCategories.count == 1 ? adultCategories[0] : nil
    }
}
