import XCTest
@testable import Host
@testable import Templates

/// Automatic tags: from template tags and the prompt, with a per-category vocabulary kept as data,
/// normalised (lowercase, singular, synonyms), deduplicated, and extensible by config.
final class TaggingTests: XCTestCase {
    private let tagger = AutoTagger()

    func testSingularRulesAndExceptions() {
        let singulariser = EnglishSingulariser(irregular: TagVocabulary.builtIn.irregularSingulars,
                                               invariant: TagVocabulary.builtIn.invariantWords)
        let cases = [
            "heels": "heel", "dresses": "dress", "bodies": "body", "brushes": "brush", "beaches": "beach",
            "boxes": "box", "roses": "rose", "shoes": "shoe", "sleeves": "sleeve", "stockings": "stocking",
            "feet": "foot", "women": "woman", "leaves": "leaf", "lens": "lens", "jeans": "jeans",
            "glass": "glass", "dress": "dress", "status": "status", "iris": "iris", "bus": "bus", "red": "red",
        ]
        for (plural, singular) in cases {
            XCTAssertEqual(singulariser.singular(plural), singular, plural)
        }
    }

    func testNormalisationLowercasesSingularisesAndMapsSynonyms() {
        XCTAssertEqual(tagger.normalise("Crimson Stockings"), "red stocking")
        XCTAssertEqual(tagger.normalise("  Black   LACE "), "black lace")
        XCTAssertEqual(tagger.normalise("Close-Ups"), "close-up")
        XCTAssertEqual(tagger.normalise("closeup"), "close-up")
        XCTAssertEqual(tagger.normalise("Fine-Art"), "fine art")
        XCTAssertEqual(tagger.normalise("women's robes"), "woman robe")
        XCTAssertEqual(tagger.normalise("Gray"), "grey")
        XCTAssertNil(tagger.normalise(" - "))
    }

    func testPromptTagsFollowTheCategoryVocabulary() {
        let prompt = "fashion editorial photograph of an adult woman, 25 years old, wearing a black lace bralette and high-waisted briefs, sitting on the edge of the bed, in a luxury hotel suite, soft window light"
        XCTAssertEqual(tagger.tags(for: prompt, category: "lingerie", templateTags: ["Lingerie", "BLACK"]),
                       ["lingerie", "black", "editorial", "lace", "bralette", "brief", "sitting", "bed", "hotel suite", "window light"])
        // Garments are a lingerie facet: the product category does not know them.
        XCTAssertEqual(tagger.tags(for: "a black lace bralette", category: "product", templateTags: []), ["black", "lace"])
        // A category without its own facets gets the common ones.
        XCTAssertEqual(tagger.tags(for: "a red bodysuit on a beach", category: "swimwear", templateTags: []), ["red", "beach"])
    }

    func testTagsAreDeduplicatedAcrossTemplateAndPrompt() {
        let tags = tagger.tags(for: "a crimson satin slip, red lace, scarlet satin", category: "lingerie",
                               templateTags: ["Red", "red", "reds", "Satin"])
        XCTAssertEqual(tags, ["red", "satin", "slip", "lace"])
    }

    func testLongestPhraseWins() {
        XCTAssertEqual(tagger.tags(for: "golden hour light on a slip dress", category: "lingerie", templateTags: []),
                       ["golden hour", "slip dress"])
        XCTAssertEqual(tagger.tags(for: "a gold slip", category: "lingerie", templateTags: []), ["gold", "slip"])
    }

    func testSynonymMappingCanBeTurnedOff() {
        let literal = AutoTagger(mapsSynonyms: false)
        XCTAssertEqual(literal.tags(for: "a crimson satin slip", category: "lingerie", templateTags: ["Crimson"]),
                       ["crimson", "satin", "slip"])
        XCTAssertEqual(literal.normalise("Closeups"), "closeup")
    }

    func testConfigExtendsTheVocabulary() throws {
        let extensionText = """
        // site-specific additions
        {
          categories: {
            lingerie: { garment: ["bodystocking"] },
            swimwear: { garment: ["bikini", "one-piece"] },
          },
          synonyms: { "wine red": "burgundy" },
        }
        """
        let extended = AutoTagger(vocabulary: TagVocabulary.builtIn.merging(try TagVocabulary(json5: extensionText)))
        XCTAssertEqual(extended.tags(for: "wine red bodystockings and a corset", category: "lingerie", templateTags: []),
                       ["burgundy", "bodystocking", "corset"])
        XCTAssertEqual(extended.tags(for: "a black one-piece", category: "swimwear", templateTags: []), ["black", "one-piece"])
        XCTAssertEqual(extended.facet(of: "bikini", category: "swimwear"), "garment")
        XCTAssertEqual(tagger.tags(for: "bodystockings", category: "lingerie", templateTags: []), [], "the built-in one is unchanged")
        XCTAssertThrowsError(try TagVocabulary(json5: "{ synonyms: { a: } }"))
        XCTAssertThrowsError(try TagVocabulary(json5: "{ synonyms: { a: '' } }"))
    }

    func testFacetsOfTags() {
        XCTAssertEqual(tagger.facet(of: "red", category: "lingerie"), "colour")
        XCTAssertEqual(tagger.facet(of: "crimson", category: "lingerie"), "colour")
        XCTAssertEqual(tagger.facet(of: "corset", category: "lingerie"), "garment")
        XCTAssertEqual(tagger.facet(of: "golden hour", category: "feet"), "lighting")
        XCTAssertNil(tagger.facet(of: "corset", category: "product"))
    }

    func testEveryBuiltInTermIsFoundInItsCategory() {
        let vocabulary = TagVocabulary.builtIn
        for category in vocabulary.categories.keys.sorted() {
            for (facet, terms) in vocabulary.facets(for: category) {
                for term in terms {
                    let expected = tagger.normalise(term)
                    XCTAssertEqual(tagger.tags(for: "photo with \(term) here", category: category, templateTags: []),
                                   expected.map { [$0] } ?? [], "\(category)/\(facet)/\(term)")
                }
            }
        }
    }
}
