import XCTest
@testable import Host
@testable import Security

final class PolicyTemplateTests: XCTestCase {
    private let policy = try! ContentPolicy(configuration: ContentPolicyConfiguration(protectedNames: ["Jane Example"]))

    func testCleanTemplatePasses() {
        let decision = policy.checkTemplate(
            name: "products", prompt: "a {object} on a {surface}, {style} lighting",
            placeholderValues: ["object": ["mug", "lamp", "kids backpack"], "surface": ["oak table", "marble"],
                                "style": ["soft", "dramatic"]],
            category: "products", isAdultCategory: false)
        XCTAssertEqual(decision, .allowed)
    }

    func testCombinationAcrossPlaceholdersIsCaught() {
        let decision = policy.checkTemplate(
            name: "fashion", prompt: "{subject} wearing {outfit}",
            placeholderValues: ["subject": ["a woman", "a man", "a teenager"], "outfit": ["a coat", "lingerie"]],
            category: "fashion", isAdultCategory: false)
        let refusal = try! XCTUnwrap(decision.refusal)
        XCTAssertEqual(refusal.ruleID, "hard.minors.youth")
        XCTAssertTrue(refusal.message.contains("template 'fashion'"))
        XCTAssertTrue(refusal.message.contains("subject value 3"), refusal.message)
        XCTAssertTrue(refusal.message.contains("outfit value 2"), refusal.message)
    }

    func testValuesOfTheSamePlaceholderAreAlternativesNotCombined() {
        // "kid" and "lingerie" can never be in the same prompt: they fill the same slot.
        let decision = policy.checkTemplate(
            name: "catalogue", prompt: "product photo: {item}",
            placeholderValues: ["item": ["kid sneakers", "lingerie set worn by a model"]], category: "products", isAdultCategory: false)
        // Refused for the adult wording outside an adult category (issue 17), never as a
        // youth + lingerie combination.
        XCTAssertEqual(decision.refusal?.ruleID, ContentPolicy.adultOutsideAdultRuleID)
    }

    func testBoundaryWithFixedTextAndDoubleBraces() {
        let decision = policy.checkTemplate(
            name: "portrait", prompt: "nude, a little {{ noun }}", placeholderValues: ["noun": ["statue", "girl"]],
            category: "art", isAdultCategory: true)
        XCTAssertEqual(decision.refusal?.ruleID, "hard.minors.youth")
    }

    func testAdjacentPlaceholdersAreCheckedBySubstitution() {
        let decision = policy.checkTemplate(
            name: "adj", prompt: "{adjective} {noun} in a garden",
            placeholderValues: ["adjective": ["little", "tall"], "noun": ["girl", "tree"]],
            category: "boudoir", isAdultCategory: true)
        XCTAssertEqual(decision.refusal?.ruleID, "hard.minors.youth")
    }

    func testNegativePromptPlaceholdersAndProtectedNames() {
        let decision = policy.checkTemplate(
            name: "neg", prompt: "woman in lingerie", negativePrompt: "{avoid}",
            placeholderValues: ["avoid": ["blurry", "Jane Example"]], category: "boudoir", isAdultCategory: true)
        XCTAssertEqual(decision.refusal?.ruleID, "hard.real-person.protected")
    }

    func testManyValuesStayCheap() {
        let values = (0..<300).map { "object number \($0)" } + ["school uniform"]
        let decision = policy.checkTemplate(
            name: "big", prompt: "{a} and {b}", placeholderValues: ["a": values, "b": values.reversed()],
            category: "boudoir", isAdultCategory: true)
        XCTAssertEqual(decision.refusal?.ruleID, "hard.minors.youth")
        XCTAssertEqual(policy.checkTemplate(name: "big", prompt: "{a} and {b}",
                                            placeholderValues: ["a": Array(values.dropLast()), "b": Array(values.dropLast())],
                                            category: "products", isAdultCategory: false), .allowed)
    }

    func testPlaceholderParsing() {
        XCTAssertEqual(ContentPolicy.placeholderNames(in: "{a} {{ b }} {a} {not a name} {}"), ["a", "b"])
        XCTAssertEqual(ContentPolicy.substitute("x {a} y {{b}} z {c}", ["a": "1", "b": "2"]), "x 1 y 2 z  ")
    }
}
