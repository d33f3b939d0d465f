import XCTest
@testable import Host
@testable import Security

final class PolicyConfigurationTests: XCTestCase {
    func testHardRulesCannotBeDisabled() {
        for id in ContentPolicy.hardRuleIDs + ["hard.anything", "routing.adult.attestation"] {
            XCTAssertThrowsError(try ContentPolicy(configuration: ContentPolicyConfiguration(disabledRules: [id]))) { error in
                XCTAssertEqual(error as? ContentPolicyConfigurationError, .cannotDisableHardRule(id))
                XCTAssertTrue("\(error)".contains("cannot be disabled"))
            }
        }
    }

    func testRuleValidation() {
        XCTAssertThrowsError(try ContentPolicy(configuration: .init(disabledRules: ["no.such.rule"]))) { error in
            XCTAssertEqual(error as? ContentPolicyConfigurationError, .unknownRuleToDisable("no.such.rule"))
        }
        XCTAssertThrowsError(try ContentPolicy(configuration: .init(rules: [PolicyRule(id: "hard.mine", name: "x", terms: ["y"])])))
        XCTAssertThrowsError(try ContentPolicy(configuration: .init(rules: [
            PolicyRule(id: "a", name: "x", terms: ["y"]), PolicyRule(id: "a", name: "z", terms: ["w"]),
        ]))) { XCTAssertEqual($0 as? ContentPolicyConfigurationError, .duplicateRuleID("a")) }
        XCTAssertThrowsError(try ContentPolicy(configuration: .init(rules: [PolicyRule(id: "b", name: "x", terms: [" "])])))
    }

    func testScopedDataRulesAndNegativePrompt() throws {
        let policy = try ContentPolicy(configuration: .init(rules: [
            PolicyRule(id: "adult.no-gore", name: "No gore in adult", terms: ["gore"], appliesTo: .adult),
            PolicyRule(id: "brand.rival", name: "Rival brand", terms: ["rivalco"], message: "no rival brands",
                       checkNegativePrompt: true),
        ]))
        XCTAssertEqual(policy.evaluate(prompt: "gore", category: "c", isAdultCategory: false), .allowed)
        XCTAssertEqual(policy.evaluate(prompt: "g0re", category: "c", isAdultCategory: true).refusal?.ruleID, "adult.no-gore")
        let refusal = policy.evaluate(prompt: "a mug", negativePrompt: "RivalCo logo", category: "c", isAdultCategory: false).refusal
        XCTAssertEqual(refusal?.ruleID, "brand.rival")
        XCTAssertEqual(refusal?.message, "no rival brands")
        XCTAssertEqual(refusal?.isHardBlock, false)
    }

    func testHardBlockBeatsDataRule() throws {
        let policy = try ContentPolicy(configuration: .init(rules: [PolicyRule(id: "soft", name: "Soft", terms: ["lingerie"])]))
        XCTAssertEqual(policy.evaluate(prompt: "teen lingerie", category: "c", isAdultCategory: false).refusal?.ruleID,
                       "hard.minors.youth")
    }

    func testOverlongPromptIsRefused() throws {
        let policy = try ContentPolicy()
        let long = String(repeating: "a", count: ContentPolicy.maximumPromptLength + 1)
        let refusal = policy.evaluate(prompt: long, category: "c", isAdultCategory: false).refusal
        XCTAssertEqual(refusal?.ruleID, "hard.prompt-length")
        XCTAssertEqual(policy.evaluate(prompt: "a", negativePrompt: long, category: "c", isAdultCategory: false).refusal?.ruleID,
                       "hard.prompt-length")
    }

    func testRefusalMessageNamesRuleButNotPromptWords() throws {
        let policy = try ContentPolicy()
        let refusal = try XCTUnwrap(policy.evaluate(prompt: "nude schoolgirl", category: "c", isAdultCategory: false).refusal)
        XCTAssertTrue(refusal.description.hasPrefix("refused by rule hard.minors.youth (Sexualised minors"))
        XCTAssertTrue(refusal.description.contains("cannot be lifted"))
        XCTAssertFalse(refusal.description.contains("schoolgirl"))
        XCTAssertTrue(refusal.triggers.contains("schoolgirl"))
    }

    func testNonPersonPhrasesFromConfig() throws {
        let strict = try ContentPolicy()
        XCTAssertEqual(strict.evaluate(prompt: "in the style of Gustav Klimt, nude", category: "art", isAdultCategory: true)
            .refusal?.ruleID, "hard.real-person.named")
        let artists = try ContentPolicy(configuration: .init(nonPersonPhrases: ["Gustav Klimt"]))
        XCTAssertEqual(artists.evaluate(prompt: "in the style of Gustav Klimt, nude", category: "art", isAdultCategory: true), .allowed)
    }
}
