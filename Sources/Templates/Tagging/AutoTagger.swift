/// Tags an image from its template's tags and its prompt, using a category's vocabulary.
///
/// Every tag is normalised: lowercase, singular, synonyms mapped to their canonical term (optional),
/// duplicates removed. Template tags come first, in their order, then the vocabulary terms found in the
/// prompt, in order of appearance. Only the positive prompt is read: words of the negative prompt describe
/// what the image is not.
package struct AutoTagger: Sendable {
    package let vocabulary: TagVocabulary
    package let mapsSynonyms: Bool
    private let singulariser: EnglishSingulariser
    /// All terms and synonyms of every category: for normalising free-form tags.
    private let global: TagPhraseTable
    private let perCategory: [String: TagPhraseTable]
    private let commonOnly: TagPhraseTable

    /// The built-in vocabulary's tagger, built once: every request and every tag filter uses it,
    /// so a prompt's tags and a filter's tag are normalised the same way.
    package static let standard = AutoTagger()

    package init(vocabulary: TagVocabulary = .builtIn, mapsSynonyms: Bool = true) {
        self.vocabulary = vocabulary
        self.mapsSynonyms = mapsSynonyms
        let singulariser = EnglishSingulariser(irregular: vocabulary.irregularSingulars, invariant: vocabulary.invariantWords)
        self.singulariser = singulariser
        let synonyms = mapsSynonyms ? vocabulary.synonyms : nil
        var everything = vocabulary.common
        for facets in vocabulary.categories.values {
            everything.merge(facets) { $0 + $1 }
        }
        global = TagPhraseTable(facets: everything, synonyms: synonyms, singulariser: singulariser)
        perCategory = vocabulary.categories.keys.reduce(into: [:]) { tables, category in
            tables[category] = TagPhraseTable(facets: vocabulary.facets(for: category), synonyms: synonyms, singulariser: singulariser)
        }
        commonOnly = TagPhraseTable(facets: vocabulary.common, synonyms: synonyms, singulariser: singulariser)
    }

    package func tags(for prompt: String, category: String, templateTags: [String]) -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        func add(_ tag: String) {
            if !tag.isEmpty, seen.insert(tag).inserted { result.append(tag) }
        }
        for tag in templateTags {
            if let normalised = normalise(tag) { add(normalised) }
        }
        let table = perCategory[category] ?? commonOnly
        table.scan(table.tokens(prompt), matched: { entry in
            if entry.facet != nil { add(entry.tag) }
        })
        return result
    }

    /// A free-form tag in canonical form ("Crimson Stockings" → "red stocking"); nil when nothing is left.
    package func normalise(_ tag: String) -> String? {
        var words: [String] = []
        global.scan(global.tokens(tag), matched: { words.append($0.tag) }, unmatched: { words.append($0) })
        let result = words.joined(separator: " ")
        return result.isEmpty ? nil : result
    }

    /// A tag filter as given by a user, in the form images are tagged with, so `--tag crimson`,
    /// `?tag=Dentelle` or `tag=stockings` find the images tagged `red`, `lace`, `stocking`.
    package static func filterTag(_ raw: String?) -> String? {
        raw.map { standard.normalise($0) ?? $0 }
    }

    /// The facet ("colour", "garment", …) a normalised tag belongs to in a category, if any.
    package func facet(of tag: String, category: String) -> String? {
        (perCategory[category] ?? commonOnly).entry(for: tag)?.facet
    }
}
