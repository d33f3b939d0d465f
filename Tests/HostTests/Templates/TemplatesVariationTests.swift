import XCTest
@testable import Host
@testable import Templates

/// Variations: placeholder expansion, determinism for a base seed, uniqueness of prompt+seed pairs, seeds
/// providers accept, and experiment arms.
final class TemplatesVariationTests: XCTestCase {
    private let library = TemplateLibrary.load(texts: DefaultTemplates.files)
    private let expander = VariationExpander()

    private func template(_ name: String) throws -> PromptTemplate {
        try XCTUnwrap(library.template(named: name))
    }

    /// Two placeholders with two values each: 4 combinations.
    private let small = PromptTemplate(
        name: "small", category: "demo", adult: false,
        prompt: "a {{colour}} {{thing}}", negativePrompt: "no {{colour}}",
        placeholders: ["colour": ["red", "blue"], "thing": ["cup", "bowl"], "unused": ["x"]])

    func testSplitMix64MatchesTheReferenceStream() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var random = SplitMix64(seed: 0)
        XCTAssertEqual([random.next(), random.next(), random.next()],
                       [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    func testSeedsAreTheTop32BitsOfTheStreamInTheProviderRange() {
        // Top halves of the reference values above: 0xE220A839, 0x6E789E6A, 0x06C45D18.
        XCTAssertEqual(VariationSeeds.derive(baseSeed: 0, count: 3), [3_793_791_033, 1_853_398_634, 113_532_184])
        let seeds = VariationSeeds.derive(baseSeed: 42, count: 16)
        XCTAssertEqual(Set(seeds).count, 16)
        XCTAssertTrue(seeds.allSatisfy { VariationSeeds.range.contains($0) })
    }

    func testPlaceholdersAreFilledAndRecorded() throws {
        let batch = try expander.expand(small, variations: 4, baseSeed: 7)
        for variation in batch {
            let colour = try XCTUnwrap(variation.placeholderValues["colour"])
            let thing = try XCTUnwrap(variation.placeholderValues["thing"])
            XCTAssertEqual(variation.prompt, "a \(colour) \(thing)")
            XCTAssertEqual(variation.negativePrompt, "no \(colour)")
            XCTAssertNil(variation.placeholderValues["unused"], "only referenced placeholders are chosen")
            XCTAssertEqual(variation.templateName, "small")
            XCTAssertEqual(variation.templateVersion, small.version)
            XCTAssertEqual(variation.parameters, small.parameters)
            XCTAssertNil(variation.arm)
        }
        XCTAssertEqual(batch.map(\.index), [0, 1, 2, 3])
    }

    func testSameBaseSeedGivesTheSameBatchAndAnotherSeedDoesNot() throws {
        let lace = try template("lingerie_black_lace")
        let first = try expander.expand(lace, variations: 8, baseSeed: 1234)
        let again = try expander.expand(lace, variations: 8, baseSeed: 1234)
        let other = try expander.expand(lace, variations: 8, baseSeed: 1235)
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first.map(\.seed), other.map(\.seed))
        XCTAssertNotEqual(first.map(\.prompt), other.map(\.prompt))
    }

    func testASmallBatchIsThePrefixOfALargerOne() throws {
        let feet = try template("feet_closeup")
        let sixteen = try expander.expand(feet, variations: 16, baseSeed: 99)
        let four = try expander.expand(feet, variations: 4, baseSeed: 99)
        XCTAssertEqual(four, Array(sixteen.prefix(4)))
    }

    func testNoTwoVariationsShareAPromptAndSeed() throws {
        for template in library.templates + [small] {
            for baseSeed: UInt64 in [0, 1, 0xDEAD_BEEF, .max] {
                let batch = try expander.expand(template, variations: 16, baseSeed: baseSeed)
                let pairs = batch.map { "\($0.seed)|\($0.prompt)" }
                XCTAssertEqual(Set(pairs).count, 16, "\(template.name) seed \(baseSeed)")
                let combinations = batch.map { $0.placeholderValues.sorted { $0.key < $1.key }.map(\.value) }
                XCTAssertEqual(Set(combinations).count, min(16, combinationCount(template)), template.name)
            }
        }
    }

    func testEveryCombinationIsUsedBeforeAnyRepeats() throws {
        let batch = try expander.expand(small, variations: 10, baseSeed: 5)
        let combos = batch.map { "\($0.placeholderValues["colour"]!) \($0.placeholderValues["thing"]!)" }
        XCTAssertEqual(Set(combos[0..<4]).count, 4)
        XCTAssertEqual(Set(combos[4..<8]).count, 4)
        XCTAssertEqual(Set(batch.map(\.seed)).count, 10, "repeated combinations still get distinct seeds")
    }

    func testTemplateWithoutPlaceholdersVariesOnlyTheSeed() throws {
        let plain = PromptTemplate(name: "plain", category: "demo", adult: false, prompt: "a lighthouse")
        let batch = try expander.expand(plain, variations: 5, baseSeed: 3)
        XCTAssertEqual(Set(batch.map(\.prompt)), ["a lighthouse"])
        XCTAssertEqual(Set(batch.map(\.seed)).count, 5)
        XCTAssertEqual(batch.first?.placeholderValues, [:])
    }

    func testCountMustBeOneToSixteen() {
        for count in [0, -1, 17] {
            XCTAssertThrowsError(try expander.expand(small, variations: count, baseSeed: 1)) { error in
                XCTAssertEqual(error as? VariationError, .countOutOfRange(requested: count, allowed: 1...16))
            }
        }
        XCTAssertNoThrow(try expander.expand(small, variations: 1, baseSeed: 1))
    }

    func testArmsSelectThePromptAndAreRecorded() throws {
        let packshot = try template("product_packshot")
        let batch = try expander.expand(packshot, variations: 3, baseSeed: 11, arms: ["b", "a", "b"])
        XCTAssertEqual(batch.map(\.arm), ["b", "a", "b"])
        XCTAssertTrue(batch[0].prompt.hasPrefix("minimalist e-commerce photo of a "))
        XCTAssertTrue(batch[1].prompt.hasPrefix("studio packshot of a "))
        XCTAssertFalse(batch[0].prompt.contains("{{"))

        XCTAssertThrowsError(try expander.expand(packshot, variations: 2, baseSeed: 1, arms: ["a", "c"])) { error in
            XCTAssertEqual(error as? VariationError, .unknownArm(template: "product_packshot", arm: "c", known: ["a", "b"]))
        }
        XCTAssertThrowsError(try expander.expand(packshot, variations: 2, baseSeed: 1, arms: ["a"])) { error in
            XCTAssertEqual(error as? VariationError, .armCountMismatch(template: "product_packshot", variations: 2, arms: 1))
        }
        XCTAssertThrowsError(try expander.expand(small, variations: 1, baseSeed: 1, arms: ["a"])) { error in
            XCTAssertEqual(error as? VariationError, .notAnExperiment(template: "small"))
        }
    }

    func testVariationIsCodableForTheCatalog() throws {
        let variation = try XCTUnwrap(try expander.expand(small, variations: 1, baseSeed: 1).first)
        let data = try JSONEncoder().encode(variation)
        XCTAssertEqual(try JSONDecoder().decode(Variation.self, from: data), variation)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"template_version\":\"\(small.version.hex)\""), text)
    }

    private func combinationCount(_ template: PromptTemplate) -> Int {
        template.referencedPlaceholders.reduce(1) { $0 * (template.placeholders[$1]?.count ?? 1) }
    }
}
