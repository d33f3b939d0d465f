/// The kinds of evidence the scanner finds in a prompt. Rules combine them: "youth" alone is a
/// birthday party, "youth" with "sexual" is what the hard block exists for.
enum PolicySignal: String, Sendable, Hashable, CaseIterable, Comparable {
    /// An age under 18 in an age expression ("15 years old", "aged 12", "14yo", "quinze ans").
    case minorAge
    /// Words for children and teenagers.
    case youthTerm
    /// School settings.
    case schoolTerm
    /// Descriptors that make an adult look like a child.
    case childLikeDescriptor
    /// Nudity and sexual acts.
    case explicitSexual
    /// Sexualising but not explicit: lingerie, "sexy", seductive poses.
    case suggestive
    /// Non-consent that is sexual by itself.
    case nonConsentExplicit
    /// Coercion, incapacity or covert capture, which is non-consent when combined with sexual content.
    case nonConsentContext
    /// Adult descriptors; in a negative prompt they steer the subject younger.
    case adultDescriptor
    /// A name from the configured list of protected real people.
    case protectedName
    /// "photo of / in the style of <Name Surname>", or a given name and a surname.
    case namedPerson
    /// A person or a body in the picture (woman, model, posing, femme...): with suggestive
    /// wording, what makes it adult content rather than a product ("sexy car", "lingerie on a
    /// mannequin").
    case person

    static func < (a: PolicySignal, b: PolicySignal) -> Bool { a.rawValue < b.rawValue }

    /// Minor-related signals.
    static let minorSignals: Set<PolicySignal> = [.minorAge, .youthTerm, .schoolTerm, .childLikeDescriptor]
    /// Signals that make content sexual.
    static let sexualSignals: Set<PolicySignal> = [.explicitSexual, .suggestive]
}

/// What the scanner found in one text: signals with the words that triggered them, and the
/// configured data rules whose terms matched.
struct PolicySignals: Sendable, Equatable {
    private(set) var triggers: [PolicySignal: [String]] = [:]
    private(set) var ruleMatches: [String: [String]] = [:]

    mutating func add(_ signal: PolicySignal, _ term: String) {
        if !(triggers[signal]?.contains(term) ?? false) { triggers[signal, default: []].append(term) }
    }

    mutating func addRuleMatch(_ ruleID: String, _ term: String) {
        if !(ruleMatches[ruleID]?.contains(term) ?? false) { ruleMatches[ruleID, default: []].append(term) }
    }

    func has(_ signal: PolicySignal) -> Bool { triggers[signal] != nil }

    func hasAny(_ signals: Set<PolicySignal>) -> Bool { signals.contains { has($0) } }

    func terms(_ signals: Set<PolicySignal>) -> [String] {
        signals.sorted().flatMap { triggers[$0] ?? [] }
    }

    /// The signal kinds and rule ids present, ignoring which words: two texts with the same
    /// shape decide the same way (used to combine template placeholder values).
    var shape: Set<String> {
        Set(triggers.keys.map(\.rawValue)).union(ruleMatches.keys.map { "rule:" + $0 })
    }

    mutating func merge(_ other: PolicySignals) {
        for (signal, terms) in other.triggers { for term in terms { add(signal, term) } }
        for (rule, terms) in other.ruleMatches { for term in terms { addRuleMatch(rule, term) } }
    }
}
