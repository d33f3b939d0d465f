import XCTest
@testable import Host
@testable import Security
@testable import Templates

/// Issue 17's corpora: ages, real people without a trigger phrase, adult wording outside adult
/// categories. Per group and language: every case with a rule is refused by exactly that rule
/// (refusal rate 100 %), every case without one passes (false-positive rate 0 %).
final class PolicyIssue17CorpusTests: XCTestCase {
    static let configuration: ContentPolicyConfiguration = {
        var configuration = PolicyCorpusTests.configuration
        configuration.allowedNames = ["Jessica Rabbit", "Marie Claire"]
        return configuration
    }()

    struct Rates: CustomStringConvertible {
        var refused = 0, refuseCases = 0, falsePositives = 0, allowCases = 0
        var description: String { "refused \(refused)/\(refuseCases), false positives \(falsePositives)/\(allowCases)" }
    }

    func run(_ file: String) throws -> [String: Rates] {
        let corpus = try PolicyCorpusTests.load(file)
        let policy = try ContentPolicy(configuration: Self.configuration)
        var rates: [String: Rates] = [:]
        var misses: [String] = []
        for item in corpus.cases {
            let decision = policy.evaluate(prompt: item.prompt, negativePrompt: item.negative, category: item.category,
                                           isAdultCategory: item.adult)
            if let rule = item.rule {
                rates[item.lang, default: Rates()].refuseCases += 1
                if decision.refusal?.ruleID == rule { rates[item.lang, default: Rates()].refused += 1 } else {
                    misses.append("missed [\(item.lang)] \(item.prompt.debugDescription) → \(decision), expected \(rule)")
                }
            } else {
                rates[item.lang, default: Rates()].allowCases += 1
                if !decision.isAllowed {
                    rates[item.lang, default: Rates()].falsePositives += 1
                    misses.append("false positive [\(item.lang)] \(item.prompt.debugDescription) → \(decision) \(decision.refusal!.triggers)")
                }
            }
        }
        print("PolicyIssue17CorpusTests \(corpus.group): \(rates.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })")
        XCTAssertEqual(Set(rates.keys), ["en", "fr"], corpus.group)
        for (lang, rate) in rates {
            XCTAssertGreaterThanOrEqual(rate.refuseCases, 4, "\(corpus.group) \(lang)")
            XCTAssertGreaterThanOrEqual(rate.allowCases, 4, "\(corpus.group) \(lang)")
            XCTAssertEqual(rate.refused, rate.refuseCases, "\(corpus.group) \(lang): refusal rate must be 100 %")
            XCTAssertEqual(rate.falsePositives, 0, "\(corpus.group) \(lang): no false positive")
        }
        XCTAssertEqual(misses, [], "\(corpus.group):\n" + misses.joined(separator: "\n"))
        return rates
    }

    func testAgesInNumeralsNumberWordsAndApparentAges() throws { _ = try run("ages.json") }

    func testRealPeopleWithoutATriggerPhrase() throws { _ = try run("real-people.json") }

    func testAdultWordingOutsideAdultCategories() throws { _ = try run("adult-wording.json") }

    func testNonConsentInAnyWordingAndItsEvasions() throws { _ = try run("non-consent.json") }

    func testPublicFiguresWithoutATriggerPhrase() throws { _ = try run("public-figures.json") }

    func testPublicFiguresFileMatchesTheCompiledInList() throws {
        let file = TestEnvironment.repositoryRoot + "/share/policy/public-figures.txt"
        let list = try PublicFigureList.load(path: file)
        XCTAssertEqual(list, PublicFigureList.shipped, "run scripts/embed-policy-lists.py")
        XCTAssertGreaterThanOrEqual(list.count, 5000, "several thousand public figures")
        let header = try String(contentsOfFile: file, encoding: .utf8).prefix(2000)
        XCTAssertTrue(header.contains("VGGFace2") && header.contains("2026"), "source and date in the header")
    }

    func testPublicFiguresAreReplaceableAndExtendedByConfiguration() throws {
        let prompt = "zorblat quux wearing lace lingerie"
        var configuration = ContentPolicyConfiguration()
        configuration.givenNames = GivenNameList(text: "# nobody\nnobodyatall\n")
        XCTAssertTrue(try ContentPolicy(configuration: configuration)
            .evaluate(prompt: prompt, category: "lingerie", isAdultCategory: true).isAllowed)
        configuration.publicFigures = PublicFigureList(text: "# replaced\nZorblat Quux\n")
        XCTAssertEqual(try ContentPolicy(configuration: configuration)
            .evaluate(prompt: prompt, category: "lingerie", isAdultCategory: true).refusal?.ruleID, "hard.real-person.protected")
        // The replaced list no longer holds the shipped names; protected_names adds to either.
        XCTAssertTrue(try ContentPolicy(configuration: configuration)
            .evaluate(prompt: "zendaya in lingerie", category: "lingerie", isAdultCategory: true).isAllowed)
        configuration.protectedNames = ["Zendaya"]
        XCTAssertEqual(try ContentPolicy(configuration: configuration)
            .evaluate(prompt: "zendaya in lingerie", category: "lingerie", isAdultCategory: true).refusal?.ruleID,
                       "hard.real-person.protected")
    }

    /// Every variation of every shipped template (all placeholder combinations, every arm):
    /// none may be refused, the given-name heuristic included.
    func testShippedTemplatesGiveNoRefusalInAnyVariation() throws {
        let library = TemplateLibrary.load(texts: DefaultTemplates.files)
        let policy = try ContentPolicy(configuration: ContentPolicyConfiguration())
        XCTAssertTrue(library.templates.contains { $0.adult })
        var checked = 0
        var refusals: [String] = []
        for template in library.templates {
            for variant in [template] + (template.experiment?.arms ?? []).map({ template.applying(arm: $0) }) {
                let names = ContentPolicy.placeholderNames(in: variant.prompt + " " + variant.negativePrompt)
                var choices: [[String: String]] = [[:]]
                for name in names {
                    let values = variant.placeholders[name] ?? [""]
                    choices = choices.flatMap { choice in values.map { choice.merging([name: $0]) { _, new in new } } }
                }
                for choice in choices {
                    let prompt = ContentPolicy.substitute(variant.prompt, choice)
                    let negative = ContentPolicy.substitute(variant.negativePrompt, choice)
                    let decision = policy.evaluate(prompt: prompt, negativePrompt: negative.isEmpty ? nil : negative,
                                                   category: variant.category, isAdultCategory: variant.adult)
                    checked += 1
                    if !decision.isAllowed { refusals.append("\(template.name): \(prompt) → \(decision)") }
                }
            }
        }
        print("PolicyIssue17CorpusTests shipped template variations checked: \(checked)")
        XCTAssertGreaterThan(checked, 100)
        XCTAssertEqual(refusals, [], refusals.prefix(20).joined(separator: "\n"))
    }

    func testGivenNamesFileMatchesTheCompiledInList() throws {
        let file = TestEnvironment.repositoryRoot + "/share/policy/given-names.txt"
        let list = try GivenNameList.load(path: file)
        XCTAssertEqual(list, GivenNameList.shipped, "run scripts/embed-policy-lists.py")
        XCTAssertGreaterThanOrEqual(list.count, 300)
        let header = try String(contentsOfFile: file, encoding: .utf8).prefix(2000)
        XCTAssertTrue(header.contains("Sources") && header.contains("2026"), "source and date in the header")
    }

    func testGivenNamesAndAllowedNamesAreConfiguration() throws {
        let prompt = "zorblat quux wearing lace lingerie"
        var configuration = ContentPolicyConfiguration()
        XCTAssertTrue(try ContentPolicy(configuration: configuration)
            .evaluate(prompt: prompt, category: "lingerie", isAdultCategory: true).isAllowed)
        configuration.givenNames = GivenNameList(text: "# replaced list\nzorblat\n")
        XCTAssertEqual(try ContentPolicy(configuration: configuration)
            .evaluate(prompt: prompt, category: "lingerie", isAdultCategory: true).refusal?.ruleID, "hard.real-person.named")
        configuration.allowedNames = ["Zorblat Quux"]
        XCTAssertTrue(try ContentPolicy(configuration: configuration)
            .evaluate(prompt: prompt, category: "lingerie", isAdultCategory: true).isAllowed)
        configuration.protectedNames = ["Zorblat Quux"]
        XCTAssertEqual(try ContentPolicy(configuration: configuration)
            .evaluate(prompt: prompt, category: "lingerie", isAdultCategory: true).refusal?.ruleID, "hard.real-person.protected")
    }
}
