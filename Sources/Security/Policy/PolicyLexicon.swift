/// A set of terms (one or more words) with a label each, matched against tokens.
///
/// A multi-word term matches its words in consecutive tokens, whatever separated them in the
/// text ("school girl", "school_girl", "school-girl"), and also written as one word
/// ("schoolgirl"). Each word matches any form of a token (leetspeak, collapsed runs) when
/// `useVariants` is on, and a plural in -s or -es. Terms never match inside a longer word, so
/// "Middlesex" and "Scunthorpe" stay clean.
struct PolicyLexicon<Label: Hashable & Sendable>: Sendable {
    struct Term: Sendable {
        let words: [String]
        let labels: Set<Label>
    }

    struct Match: Sendable {
        let labels: Set<Label>
        let term: String
        let range: ClosedRange<Int>
    }

    private(set) var singles: [String: Set<Label>] = [:]
    private(set) var multi: [String: [Term]] = [:]
    let useVariants: Bool

    /// `entries`: term text (already folded: lowercase, no accents; words separated by spaces)
    /// and its label.
    init(_ entries: [(String, Label)], useVariants: Bool = true) {
        self.useVariants = useVariants
        for (text, label) in entries { add(text, label) }
    }

    mutating func add(_ text: String, _ label: Label) {
        add(words: Self.words(of: text), label)
    }

    /// The words a term is stored under: what `add` keeps of its text.
    static func words(of text: String) -> [String] {
        PolicyTextNormalizer.tokens(text).map(\.text)
    }

    /// Adds a term already split by `words(of:)` (the pre-folded shipped names).
    mutating func add(words: [String], _ label: Label) {
        guard !words.isEmpty else { return }
        singles[words.joined(), default: []].insert(label)
        if words.count > 1 {
            if let index = multi[words[0]]?.firstIndex(where: { $0.words == words }) {
                let merged = multi[words[0]]![index].labels.union([label])
                multi[words[0]]![index] = Term(words: words, labels: merged)
            } else {
                multi[words[0], default: []].append(Term(words: words, labels: [label]))
            }
        }
    }

    /// The spellings a form may stand for: itself and its singular.
    static func lookups(_ form: String) -> [String] {
        var out = [form]
        if form.count >= 3, form.hasSuffix("s") {
            out.append(String(form.dropLast()))
            if form.count >= 5, form.hasSuffix("es") { out.append(String(form.dropLast(2))) }
        }
        return out
    }

    private func forms(of token: PolicyToken) -> [String] {
        useVariants ? token.forms : [token.text]
    }

    /// Every match in the tokens, skipping masked positions.
    func matches(in tokens: [PolicyToken], masked: Set<Int> = []) -> [Match] {
        var found: [Match] = []
        for index in tokens.indices where !masked.contains(index) {
            for form in forms(of: tokens[index]) {
                for key in Self.lookups(form) {
                    if let labels = singles[key] {
                        found.append(Match(labels: labels, term: key, range: index...index))
                    }
                    for term in multi[key] ?? [] {
                        if let end = matchRest(term.words, in: tokens, from: index + 1, masked: masked) {
                            found.append(Match(labels: term.labels, term: term.words.joined(separator: " "), range: index...end))
                        }
                    }
                }
            }
        }
        return found
    }

    /// Labels of a single word that is not a token of its own (a joined or split piece).
    func labels(ofWord word: String) -> Set<Label>? {
        for key in Self.lookups(word) { if let labels = singles[key] { return labels } }
        return nil
    }

    private func matchRest(_ words: [String], in tokens: [PolicyToken], from start: Int, masked: Set<Int>) -> Int? {
        var position = start
        for word in words.dropFirst() {
            guard position < tokens.count, !masked.contains(position),
                  forms(of: tokens[position]).contains(where: { Self.lookups($0).contains(word) })
            else { return nil }
            position += 1
        }
        return position - 1
    }
}
