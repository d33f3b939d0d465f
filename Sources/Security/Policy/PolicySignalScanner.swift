/// Turns one text into `PolicySignals`: normalises it, masks benign phrases, matches the
/// vocabulary (including spaced-out and joined spellings), reads age expressions, protected
/// names, "photo of <Name Surname>" patterns and the terms of configured rules.
struct PolicySignalScanner: Sendable {
    let protectedNames: LazyPolicyLexicon
    let ruleTerms: PolicyLexicon<String>
    let nonPersonPhrases: Set<String>
    var givenNames: GivenNameList = .shipped
    /// Folded allowed names and non-person phrases: never taken for a given-name pair.
    var allowedNames: Set<String> = []

    /// Vocabulary terms of at least 4 letters worth finding inside a spaced-out run.
    static let spacedOutTerms: [(String, Set<PolicySignal>)] = PolicyVocabulary.signalLexicon.singles
        .filter { $0.key.count >= 4 && !$0.value.isDisjoint(with: PolicyVocabulary.spacedOutSignals) }
        .map { ($0.key, $0.value) }
        .sorted { $0.0 < $1.0 }

    func scan(_ text: String, detectNamedPersons: Bool) -> PolicySignals {
        let tokens = PolicyTextNormalizer.tokens(text)
        var signals = PolicySignals()
        var masked = Set<Int>()
        for match in PolicyVocabulary.benignLexicon.matches(in: tokens) { masked.formUnion(match.range) }

        for match in PolicyVocabulary.signalLexicon.matches(in: tokens, masked: masked) {
            for signal in match.labels { signals.add(signal, match.term) }
        }
        for age in AgeExpressionDetector.ages(in: tokens, masked: masked) where age.years < 18 {
            signals.add(.minorAge, age.phrase)
        }
        scanSpacedOutRuns(tokens, masked: masked, into: &signals)
        scanJoinedWords(tokens, masked: masked, into: &signals)
        for match in protectedNames.value.matches(in: tokens) {
            for name in match.labels { signals.add(.protectedName, name) }
        }
        if detectNamedPersons {
            for name in NamedPersonDetector.names(in: PolicyTextNormalizer.clean(text),
                                                  extraNonPersonPhrases: nonPersonPhrases) {
                signals.add(.namedPerson, name)
            }
            for name in NamedPersonDetector.givenNamePairs(in: PolicyTextNormalizer.clean(text), givenNames: givenNames,
                                                           skip: allowedNames) {
                signals.add(.namedPerson, name)
            }
        }
        for match in ruleTerms.matches(in: tokens, masked: masked) {
            for rule in match.labels { signals.addRuleMatch(rule, match.term) }
        }
        return signals
    }

    /// "t e e n", "s.e.x.y t.e.e.n", "n-u-d-e": runs of one- and two-character tokens, mostly
    /// single letters, are joined and searched for vocabulary terms.
    private func scanSpacedOutRuns(_ tokens: [PolicyToken], masked: Set<Int>, into signals: inout PolicySignals) {
        var index = 0
        while index < tokens.count {
            var end = index
            while end < tokens.count, tokens[end].text.count <= 2, !masked.contains(end) { end += 1 }
            let run = tokens[index..<end]
            let singleCharacters = run.filter { $0.text.count == 1 }.count
            if run.count >= 3, singleCharacters * 2 >= run.count {
                let joined = PolicyToken(text: run.map(\.text).joined())
                for form in joined.forms {
                    if let labels = PolicyVocabulary.signalLexicon.labels(ofWord: form) {
                        for signal in labels { signals.add(signal, form) }
                    }
                    for (term, labels) in Self.spacedOutTerms where form.contains(term) {
                        for signal in labels { signals.add(signal, term) }
                    }
                    splitJoinedWord(form, into: &signals)
                }
            }
            index = max(end, index + 1)
        }
    }

    /// "sexyteen", "teengirl", "nudemodel": a word that is exactly two known words, at least
    /// one of them a vocabulary term, is read as both. Words with an unknown part ("Middlesex",
    /// "therapist") are left alone.
    private func scanJoinedWords(_ tokens: [PolicyToken], masked: Set<Int>, into signals: inout PolicySignals) {
        for (index, token) in tokens.enumerated() where !masked.contains(index) && token.number == nil {
            for form in token.forms { splitJoinedWord(form, into: &signals) }
        }
    }

    private func splitJoinedWord(_ form: String, into signals: inout PolicySignals) {
        let lexicon = PolicyVocabulary.signalLexicon
        guard form.count >= 6, lexicon.labels(ofWord: form) == nil else { return }
        let characters = Array(form)
        for cut in 3...(characters.count - 3) {
            let left = String(characters[..<cut]), right = String(characters[cut...])
            let leftLabels = lexicon.labels(ofWord: left), rightLabels = lexicon.labels(ofWord: right)
            guard leftLabels != nil || rightLabels != nil else { continue }
            let leftKnown = leftLabels != nil || PolicyVocabulary.personNounSet.contains(left)
            let rightKnown = rightLabels != nil
                || PolicyLexicon<PolicySignal>.lookups(right).contains { PolicyVocabulary.personNounSet.contains($0) }
            guard leftKnown, rightKnown else { continue }
            for signal in leftLabels ?? [] { signals.add(signal, left) }
            for signal in rightLabels ?? [] { signals.add(signal, right) }
        }
    }
}
