import XCTest
@testable import Host
@testable import Templates

/// Preference profiles: declared weights bias placeholder choice (deterministically for a seed), ratings
/// move the weights, and the bounds keep every value's probability above a floor however much is learned.
final class PersonalisationTests: XCTestCase {
    private let colours = ["red", "black", "white"]

    func testDeclaredWeightsGiveTheHandComputedProbabilities() {
        // w = [2, 1, 1], Σw = 4, uniform share ε = 0.2, n = 3:
        // p = 0.8 · w/4 + 0.2/3 → red 0.4 + 0.0667 = 0.466667, black = white = 0.2 + 0.0667 = 0.266667.
        let profile = PreferenceProfile(name: "ig", placeholderWeights: ["colour": ["red": 2]])
        let probabilities = profile.probabilities(forPlaceholder: "colour", values: colours)
        XCTAssertEqual(probabilities[0], 0.466667, accuracy: 1e-6)
        XCTAssertEqual(probabilities[1], 0.266667, accuracy: 1e-6)
        XCTAssertEqual(probabilities[2], 0.266667, accuracy: 1e-6)
        XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-12)
        // Weights beyond the bounds are clamped: 100 counts as 4 → p(red) = 0.8 · 4/6 + 0.0667 = 0.6.
        let extreme = PreferenceProfile(name: "x", placeholderWeights: ["colour": ["red": 100]])
        XCTAssertEqual(extreme.probabilities(forPlaceholder: "colour", values: colours)[0], 0.6, accuracy: 1e-9)
    }

    func testSamplingFollowsTheProbabilities() {
        let profile = PreferenceProfile(name: "ig", placeholderWeights: ["colour": ["red": 2]])
        let probabilities = profile.probabilities(forPlaceholder: "colour", values: colours)
        var random = SplitMix64(seed: 8)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[random.nextIndex(weightedBy: probabilities)] += 1 }
        for index in colours.indices {
            XCTAssertEqual(Double(counts[index]) / 30_000, probabilities[index], accuracy: 0.01, colours[index])
        }
    }

    func testProfileBiasesVariationsDeterministically() throws {
        let template = PromptTemplate(name: "vase", category: "demo", adult: false, prompt: "a {{colour}} vase in {{room}}",
                                      placeholders: ["colour": colours, "room": ["a kitchen", "a hall", "a studio", "a garden", "a loft"]])
        let profile = PreferenceProfile(name: "warm", placeholderWeights: ["colour": ["red": 4, "black": 0.25, "white": 0.25]])
        let expander = VariationExpander()
        var biased = 0
        var plain = 0
        for baseSeed: UInt64 in 0..<100 {
            let withProfile = try expander.expand(template, variations: 4, baseSeed: baseSeed, profile: profile)
            XCTAssertEqual(withProfile, try expander.expand(template, variations: 4, baseSeed: baseSeed, profile: profile))
            XCTAssertTrue(withProfile.allSatisfy { $0.profile == "warm" })
            biased += withProfile.filter { $0.placeholderValues["colour"] == "red" }.count
            plain += try expander.expand(template, variations: 4, baseSeed: baseSeed).filter { $0.placeholderValues["colour"] == "red" }.count
        }
        // p(red) = 0.8 · 4/4.5 + 0.2/3 = 0.778 with the profile, 1/3 without (400 variations each).
        XCTAssertGreaterThan(biased, 270)
        XCTAssertLessThan(plain, 170)
    }

    func testRatingsMoveWeightsByTheLearningRate() throws {
        let profile = PreferenceProfile(name: "ig")
        let values = ["colour": "red", "room": "loft"]
        // Rating 5 → score 1 → factor e^(0.25 · 1) = 1.284025; rating 1 → e^(−0.25) = 0.778801; 3 → 1.
        let liked = try profile.learning(fromRating: 5, placeholderValues: values)
        XCTAssertEqual(liked.weight(placeholder: "colour", value: "red"), 1.284025, accuracy: 1e-6)
        XCTAssertEqual(liked.weight(placeholder: "room", value: "loft"), 1.284025, accuracy: 1e-6)
        XCTAssertEqual(liked.weight(placeholder: "colour", value: "black"), 1)
        let disliked = try profile.learning(fromRating: 1, placeholderValues: values)
        XCTAssertEqual(disliked.weight(placeholder: "colour", value: "red"), 0.778801, accuracy: 1e-6)
        XCTAssertEqual(try profile.learning(fromRating: 3, placeholderValues: values).weight(placeholder: "colour", value: "red"), 1)
        XCTAssertThrowsError(try profile.learning(fromRating: 0, placeholderValues: values)) { error in
            XCTAssertEqual(error as? PreferenceProfileError, .ratingOutOfRange(0))
        }
        XCTAssertThrowsError(try profile.learning(fromScore: 1.5, placeholderValues: values))
    }

    func testVarietyNeverCollapses() throws {
        // 1000 top ratings for red and 1000 bottom ratings for every other colour: weights hit the bounds
        // (red 4, others 0.25) and stay there. With n = 5 the floor is
        //   0.8 · 0.25 / (0.25 + 4 · 4) + 0.2 / 5 = 0.012308 + 0.04 = 0.052308,
        // the bound for the least favoured value in the worst case; here each disliked value gets
        //   0.8 · 0.25 / (4 + 4 · 0.25) + 0.04 = 0.04 + 0.04 = 0.08, and red 0.8 · 4/5 + 0.04 = 0.68.
        let all = ["red", "black", "white", "blue", "green"]
        var profile = PreferenceProfile(name: "learner")
        for _ in 0..<1000 {
            profile = try profile.learning(fromRating: 5, placeholderValues: ["colour": "red"])
            for other in all.dropFirst() {
                profile = try profile.learning(fromRating: 1, placeholderValues: ["colour": other])
            }
        }
        XCTAssertEqual(profile.weight(placeholder: "colour", value: "red"), 4)
        XCTAssertEqual(profile.weight(placeholder: "colour", value: "green"), 0.25)
        let probabilities = profile.probabilities(forPlaceholder: "colour", values: all)
        XCTAssertEqual(probabilities[0], 0.68, accuracy: 1e-9)
        for probability in probabilities.dropFirst() {
            XCTAssertEqual(probability, 0.08, accuracy: 1e-9)
            XCTAssertGreaterThanOrEqual(probability, profile.bounds.floorProbability(valueCount: 5))
        }
        XCTAssertEqual(profile.bounds.floorProbability(valueCount: 5), 0.052308, accuracy: 1e-6)

        // And in practice: every colour still shows up in generated batches.
        let template = PromptTemplate(name: "vase", category: "demo", adult: false, prompt: "a {{colour}} vase",
                                      placeholders: ["colour": all])
        var seen = Set<String>()
        var reds = 0
        for baseSeed: UInt64 in 0..<50 {
            for variation in try VariationExpander().expand(template, variations: 1, baseSeed: baseSeed, profile: profile) {
                seen.insert(variation.placeholderValues["colour"] ?? "")
                if variation.placeholderValues["colour"] == "red" { reds += 1 }
            }
        }
        XCTAssertEqual(seen, Set(all))
        XCTAssertGreaterThan(reds, 20, "50 draws at p = 0.68")
    }

    func testAspectRatioKeepsThePixelCount() {
        // 1024 × 1024 at 4:5: width √(1048576 · 0.8) = 915.9 → 896 (14 × 64), height √(1048576 / 0.8) = 1144.9 → 1152 (18 × 64).
        let preferences = ParameterPreferences(aspectRatio: AspectRatio("4:5"), steps: 500, guidanceScale: 5)
        let applied = preferences.apply(to: .standard)
        XCTAssertEqual(applied, TemplateParameters(width: 896, height: 1152, steps: 150, guidanceScale: 5))
        XCTAssertNil(AspectRatio("0:1"))
        XCTAssertNil(AspectRatio("10:1"))
        XCTAssertNil(AspectRatio("wide"))
    }

    func testProfilesAreReadFromJSON5ConfigAndValidated() throws {
        let profile = try PreferenceProfile(json5: """
        // the Instagram channel
        {
          name: "instagram",
          placeholders: { colour: { red: 2, black: 1.5 } },
          parameters: { aspect_ratio: "4:5" },
          bounds: { uniform_share: 0.3 },
        }
        """)
        XCTAssertEqual(profile.weight(placeholder: "colour", value: "black"), 1.5)
        XCTAssertEqual(profile.parameters.aspectRatio, AspectRatio(width: 4, height: 5))
        XCTAssertEqual(profile.bounds, PreferenceBounds(minimumWeight: 0.25, maximumWeight: 4, uniformShare: 0.3))
        XCTAssertEqual(profile.learningRate, PreferenceProfile.defaultLearningRate)
        XCTAssertThrowsError(try PreferenceProfile(json5: "{ name: 'x', bounds: { uniform_share: 2 } }")) { error in
            XCTAssertEqual(error as? PreferenceProfileError, .invalidProfile(name: "x", reason: "uniform_share must be between 0 and 1"))
        }
        XCTAssertThrowsError(try PreferenceProfile(json5: "{ name: 'x', placeholders: { colour: { red: -1 } } }"))
        XCTAssertThrowsError(try PreferenceProfile(json5: "{ name: 'x', parameters: { aspect_ratio: 'square' } }"))

        // Learned profiles round-trip through JSON for the catalog.
        let learned = try profile.learning(fromRating: 5, placeholderValues: ["colour": "red"])
        XCTAssertEqual(try JSONDecoder().decode(PreferenceProfile.self, from: JSONEncoder().encode(learned)), learned)
    }

    func testVariationsRecordTheProfileParameters() throws {
        let library = TemplateLibrary.load(texts: DefaultTemplates.files)
        let template = try XCTUnwrap(library.template(named: "product_lifestyle"))
        let profile = PreferenceProfile(name: "square", parameters: ParameterPreferences(aspectRatio: AspectRatio(width: 1, height: 1)))
        let batch = try VariationExpander().expand(template, variations: 2, baseSeed: 1, profile: profile)
        // 1216 × 832 = 1011712 px at 1:1 → √1011712 = 1005.8 → 1024 (16 × 64).
        XCTAssertEqual(batch.map(\.parameters.width), [1024, 1024])
        XCTAssertEqual(batch.map(\.parameters.height), [1024, 1024])
        XCTAssertEqual(batch.map(\.profile), ["square", "square"])
    }
}
