/// Tokenises text the way tags are compared and finds vocabulary phrases in it.
///
/// For matching, a token is a run of letters, digits and apostrophes, lowercased and made singular; hyphens
/// separate tokens, so "close-up", "close up" and "Close-Ups" all match the term "close-up". Phrases are
/// matched greedily, longest first, so "golden hour light" is one lighting phrase rather than a colour. A
/// phrase maps to its canonical tag — the term as the vocabulary writes it (lowercase, singular, hyphens
/// kept), or a synonym's target — and to its facet when the term is one of the category's.
struct TagPhraseTable: Sendable {
    struct Entry: Sendable, Hashable {
        let tag: String
        let facet: String?
    }

    private let singulariser: EnglishSingulariser
    private var entries: [String: Entry] = [:]
    private var longestPhrase = 1

    init(singulariser: EnglishSingulariser) {
        self.singulariser = singulariser
    }

    /// Builds the table for a category's facets. `synonyms` nil disables synonym mapping.
    init(facets: [String: [String]], synonyms: [String: String]?, singulariser: EnglishSingulariser) {
        self.init(singulariser: singulariser)
        var facetOfTag: [String: String] = [:]
        for facet in facets.keys.sorted() {
            for term in facets[facet] ?? [] {
                let key = normalisedPhrase(term)
                let tag = displayForm(term)
                guard !key.isEmpty else { continue }
                if facetOfTag[tag] == nil { facetOfTag[tag] = facet }
                add(key, entry: Entry(tag: tag, facet: facetOfTag[tag]))
            }
        }
        let terms = Set(entries.keys)
        for (variant, canonical) in (synonyms ?? [:]).sorted(by: { $0.key < $1.key }) {
            let key = normalisedPhrase(variant)
            let tag = displayForm(canonical)
            // A synonym never hides a term of the vocabulary itself.
            guard !key.isEmpty, !tag.isEmpty, !terms.contains(key) else { continue }
            add(key, entry: Entry(tag: tag, facet: facetOfTag[tag]))
        }
    }

    /// The entry a tag or phrase matches as a whole, if any.
    func entry(for text: String) -> Entry? {
        entries[normalisedPhrase(text)]
    }

    /// Text → matching tokens (lowercase, singular, split at hyphens).
    /// Words are made singular before they are split, so "close-ups" becomes "close", "up".
    func tokens(_ text: String) -> [String] {
        words(text).flatMap { $0.split(separator: "-").map(String.init) }
    }

    /// The canonical spelling of a term: lowercase, singular words, inner hyphens kept ("Close-Ups" → "close-up").
    func displayForm(_ text: String) -> String {
        words(text).joined(separator: " ")
    }

    private func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        func flush() {
            var word = current.trimmingHyphens()
            current = ""
            if word.hasSuffix("'s") { word.removeLast(2) }
            word.removeAll { $0 == "'" }
            guard !word.isEmpty else { return }
            words.append(singulariser.singular(word))
        }
        for character in text.lowercased() {
            let normalised: Character = character == "\u{2019}" ? "'" : character
            if normalised.isLetter || normalised.isNumber || normalised == "'" || normalised == "-" {
                current.append(normalised)
            } else {
                flush()
            }
        }
        flush()
        return words
    }

    func normalisedPhrase(_ text: String) -> String {
        tokens(text).joined(separator: " ")
    }

    /// The phrases of `tokens`, greedy longest match first; unmatched tokens are passed to `unmatched`.
    func scan(_ tokens: [String], matched: (Entry) -> Void, unmatched: (String) -> Void = { _ in }) {
        var index = 0
        while index < tokens.count {
            var found = false
            for length in stride(from: min(longestPhrase, tokens.count - index), through: 1, by: -1) {
                let phrase = tokens[index..<(index + length)].joined(separator: " ")
                if let entry = entries[phrase] {
                    matched(entry)
                    index += length
                    found = true
                    break
                }
            }
            if !found {
                unmatched(tokens[index])
                index += 1
            }
        }
    }

    private mutating func add(_ key: String, entry: Entry) {
        entries[key] = entry
        longestPhrase = max(longestPhrase, key.split(separator: " ").count)
    }
}

private extension String {
    func trimmingHyphens() -> String {
        var result = Substring(self)
        while result.first == "-" { result.removeFirst() }
        while result.last == "-" { result.removeLast() }
        return String(result)
    }
}
