/// The rules compiled into the host that no configuration can disable: sexualised minors,
/// non-consensual sexual content, real people in adult content, and the prompt length limit.
///
/// "Sexual context" below means the prompt carries explicit or suggestive vocabulary, or the
/// request is in an adult category. Minor signals in the *negative* prompt are ignored (putting
/// "child, teen" there is good practice); adult descriptors there are a signal of their own.
struct HardBlockRule: Sendable {
    let id: String
    let name: String
    let message: String
    let applies: @Sendable (_ prompt: PolicySignals, _ negative: PolicySignals, _ isAdult: Bool) -> [String]?

    func evaluate(prompt: PolicySignals, negative: PolicySignals, isAdultCategory: Bool) -> PolicyRefusal? {
        guard let triggers = applies(prompt, negative, isAdultCategory) else { return nil }
        return PolicyRefusal(ruleID: id, ruleName: name, message: message, isHardBlock: true, triggers: triggers)
    }

    /// Terms from the sexual context, or ["adult category"] when the category supplies it.
    private static func sexualContext(_ prompt: PolicySignals, _ isAdult: Bool) -> [String]? {
        let terms = prompt.terms(PolicySignal.sexualSignals)
        if !terms.isEmpty { return terms }
        return isAdult ? ["(adult category)"] : nil
    }

    static let all: [HardBlockRule] = [
        HardBlockRule(
            id: "hard.minors.age", name: "Sexualised minors: age under 18",
            message: "the request states an age under 18 in a sexual or adult context",
            applies: { prompt, _, isAdult in
                guard prompt.has(.minorAge), let context = sexualContext(prompt, isAdult) else { return nil }
                return prompt.terms([.minorAge]) + context
            }),
        HardBlockRule(
            id: "hard.minors.youth", name: "Sexualised minors: youth, school or child-like terms",
            message: "the request combines youth, school or child-like terms with a sexual or adult context",
            applies: { prompt, _, isAdult in
                let youth: Set<PolicySignal> = [.youthTerm, .schoolTerm, .childLikeDescriptor]
                guard prompt.hasAny(youth), let context = sexualContext(prompt, isAdult) else { return nil }
                return prompt.terms(youth) + context
            }),
        HardBlockRule(
            id: "hard.minors.negative-inversion", name: "Sexualised minors: adult traits excluded",
            message: "the negative prompt excludes adult traits in a sexual or adult context, which steers the subject younger",
            applies: { prompt, negative, isAdult in
                guard negative.has(.adultDescriptor), let context = sexualContext(prompt, isAdult) else { return nil }
                return negative.terms([.adultDescriptor]) + context
            }),
        HardBlockRule(
            id: "hard.non-consent", name: "Non-consensual sexual content",
            message: "the request describes sexual content without consent (assault, coercion, incapacity or covert capture)",
            applies: { prompt, _, isAdult in
                if prompt.has(.nonConsentExplicit) { return prompt.terms([.nonConsentExplicit]) }
                guard prompt.has(.nonConsentContext), let context = sexualContext(prompt, isAdult) else { return nil }
                return prompt.terms([.nonConsentContext]) + context
            }),
        HardBlockRule(
            id: "hard.real-person.protected", name: "Real people in adult content: protected name",
            message: "the request names a protected real person in a sexual or adult context",
            applies: { prompt, negative, isAdult in
                let names = prompt.terms([.protectedName]) + negative.terms([.protectedName])
                guard !names.isEmpty, let context = sexualContext(prompt, isAdult) else { return nil }
                return names + context
            }),
        HardBlockRule(
            id: "hard.real-person.named", name: "Real people in adult content: named person",
            message: "the request names a person (a given name and a surname, or \"photo of / in the style of <Name Surname>\") in a sexual or adult context; if the name is fictional or a brand, the operator can list it in policy.allowed_names",
            applies: { prompt, _, isAdult in
                guard prompt.has(.namedPerson), let context = sexualContext(prompt, isAdult) else { return nil }
                return prompt.terms([.namedPerson]) + context
            }),
    ]

    static let promptLengthRuleID = "hard.prompt-length"
    static let promptLengthRuleName = "Prompt length limit"
}
