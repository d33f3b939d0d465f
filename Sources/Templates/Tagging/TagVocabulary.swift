import Foundation

/// The words automatic tagging looks for, kept as data: facets (colour, material, lighting, pose, setting,
/// garment, …) of terms per category, synonyms, and the exceptions of English singulars.
///
/// The built-in vocabulary is embedded JSON5 (`DefaultTagVocabulary`); config can extend it with a file of
/// the same shape (`merging`), adding terms, categories and synonyms without a rebuild.
package struct TagVocabulary: Codable, Sendable, Hashable {
    /// Facet → terms, for every category.
    package var common: [String: [String]]
    /// Category → facet → terms, added to `common` for that category.
    package var categories: [String: [String: [String]]]
    /// Variant → canonical term ("crimson" → "red", "closeup" → "close-up").
    package var synonyms: [String: String]
    /// Plurals the suffix rules get wrong ("feet" → "foot").
    package var irregularSingulars: [String: String]
    /// Words that end like plurals but are not ("lens", "jeans").
    package var invariantWords: [String]

    package init(common: [String: [String]] = [:], categories: [String: [String: [String]]] = [:],
                synonyms: [String: String] = [:], irregularSingulars: [String: String] = [:], invariantWords: [String] = []) {
        self.common = common
        self.categories = categories
        self.synonyms = synonyms
        self.irregularSingulars = irregularSingulars
        self.invariantWords = invariantWords
    }

    /// The product's vocabulary.
    package static let builtIn: TagVocabulary = {
        do {
            return try TagVocabulary(json5: DefaultTagVocabulary.text)
        } catch {
            // The embedded text is covered by tests; reaching this is a build defect, not a user error.
            fatalError("the built-in tag vocabulary does not load: \(error)")
        }
    }()

    /// Reads a vocabulary (or a config extension of one) from JSON5; every field is optional.
    package init(json5 text: String) throws(TagVocabularyError) {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        do {
            self = try decoder.decode(TagVocabulary.self, from: Data(text.utf8))
        } catch {
            throw .unreadable(reason: "\(error)")
        }
        for (variant, canonical) in synonyms where variant.trimmingCharacters(in: .whitespaces).isEmpty
            || canonical.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .invalid(reason: "a synonym has an empty side ('\(variant)' → '\(canonical)')")
        }
    }

    /// Facet → terms for a category: the common facets plus the category's own.
    package func facets(for category: String) -> [String: [String]] {
        common.merging(categories[category] ?? [:]) { $0 + $1 }
    }

    /// This vocabulary extended by `other` (e.g. from config): terms are added, synonyms and singulars of
    /// `other` win on conflict.
    package func merging(_ other: TagVocabulary) -> TagVocabulary {
        var result = self
        result.common = common.merging(other.common) { $0 + $1 }
        for (category, facets) in other.categories {
            result.categories[category] = (categories[category] ?? [:]).merging(facets) { $0 + $1 }
        }
        result.synonyms.merge(other.synonyms) { _, new in new }
        result.irregularSingulars.merge(other.irregularSingulars) { _, new in new }
        result.invariantWords += other.invariantWords
        return result
    }

    enum CodingKeys: String, CodingKey {
        case common, categories, synonyms
        case irregularSingulars = "irregular_singulars"
        case invariantWords = "invariant_words"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        common = try container.decodeIfPresent([String: [String]].self, forKey: .common) ?? [:]
        categories = try container.decodeIfPresent([String: [String: [String]]].self, forKey: .categories) ?? [:]
        synonyms = try container.decodeIfPresent([String: String].self, forKey: .synonyms) ?? [:]
        irregularSingulars = try container.decodeIfPresent([String: String].self, forKey: .irregularSingulars) ?? [:]
        invariantWords = try container.decodeIfPresent([String].self, forKey: .invariantWords) ?? []
    }
}
