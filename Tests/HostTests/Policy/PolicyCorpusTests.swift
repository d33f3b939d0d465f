import XCTest
@testable import Host
@testable import Security

/// Runs the prompt corpus in `corpus/` and asserts the refusal rate per group.
final class PolicyCorpusTests: XCTestCase {
    struct Corpus: Decodable {
        let group: String
        let cases: [Case]
    }

    struct Case: Decodable {
        let prompt: String
        let negative: String?
        let category: String
        let adult: Bool
        let rule: String?
        let lang: String
        let trick: String?
    }

    static func load(_ name: String) throws -> Corpus {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("corpus").appendingPathComponent(name)
        return try JSONDecoder().decode(Corpus.self, from: Data(contentsOf: url))
    }

    static let configuration = ContentPolicyConfiguration(
        protectedNames: ["Jane Example", "Jean Exemple"],
        rules: [PolicyRule(id: "brand.competitor", name: "Competitor brands", terms: ["acme corp"])],
        adultAttestation: AgeVerificationAttestation(attestedBy: "Test Operator",
                                                     attestedAt: Date(timeIntervalSince1970: 1_767_225_600)))

    private func evaluate(_ policy: ContentPolicy, _ item: Case) -> PolicyDecision {
        policy.evaluate(prompt: item.prompt, negativePrompt: item.negative, category: item.category,
                        isAdultCategory: item.adult)
    }

    func testHardBlocksAreAllRefusedByTheExpectedRule() throws {
        let corpus = try Self.load("hard-blocks.json")
        let policy = try ContentPolicy(configuration: Self.configuration)
        var misses: [String] = []
        for item in corpus.cases {
            let decision = evaluate(policy, item)
            if decision.refusal?.ruleID != item.rule || decision.refusal?.isHardBlock != true {
                misses.append("[\(item.lang), \(item.trick ?? "")] \(item.prompt.debugDescription) → \(decision), expected \(item.rule!)")
            }
        }
        XCTAssertGreaterThanOrEqual(corpus.cases.count, 60)
        XCTAssertTrue(Set(corpus.cases.map(\.lang)) == ["en", "fr"])
        // Hard blocks: 100 % refused, each by its rule.
        XCTAssertEqual(misses, [], "\(misses.count) of \(corpus.cases.count) hard-block cases missed:\n" + misses.joined(separator: "\n"))
    }

    func testHardBlocksHoldEvenWithEveryDataRuleDisabled() throws {
        let corpus = try Self.load("hard-blocks.json")
        var configuration = Self.configuration
        configuration.disabledRules = [PolicyRule.explicitOutsideAdultID, "brand.competitor"]
        let policy = try ContentPolicy(configuration: configuration)
        let refused = corpus.cases.filter { evaluate(policy, $0).refusal?.isHardBlock == true }.count
        XCTAssertEqual(refused, corpus.cases.count)
    }

    func testAllowedCorpusPassesAtLeast98Percent() throws {
        let corpus = try Self.load("allowed.json")
        let policy = try ContentPolicy(configuration: Self.configuration)
        var refusals: [String] = []
        for item in corpus.cases {
            let decision = evaluate(policy, item)
            if !decision.isAllowed {
                refusals.append("[\(item.lang)] \(item.prompt.debugDescription) → \(decision) triggers \(decision.refusal!.triggers)")
            }
        }
        XCTAssertGreaterThanOrEqual(corpus.cases.count, 80)
        let allowedRate = Double(corpus.cases.count - refusals.count) / Double(corpus.cases.count)
        XCTAssertGreaterThanOrEqual(allowedRate, 0.98, "false positives:\n" + refusals.joined(separator: "\n"))
        // Per language too, so one language cannot hide behind the other.
        for lang in ["en", "fr"] {
            let cases = corpus.cases.filter { $0.lang == lang }
            let refused = cases.filter { !evaluate(policy, $0).isAllowed }.count
            XCTAssertGreaterThanOrEqual(Double(cases.count - refused) / Double(cases.count), 0.98, lang)
        }
        // Report (not assert) the exact set, so a new false positive is visible in the log.
        if !refusals.isEmpty { print("PolicyCorpusTests false positives:\n" + refusals.joined(separator: "\n")) }
    }

    func testDataRulesRefuseAndCanBeDisabled() throws {
        let corpus = try Self.load("data-rules.json")
        let policy = try ContentPolicy(configuration: Self.configuration)
        for item in corpus.cases {
            let decision = evaluate(policy, item)
            XCTAssertEqual(decision.refusal?.ruleID, item.rule, item.prompt)
            XCTAssertEqual(decision.refusal?.isHardBlock, false, item.prompt)
        }
        var configuration = Self.configuration
        configuration.disabledRules = [PolicyRule.explicitOutsideAdultID, "brand.competitor"]
        let permissive = try ContentPolicy(configuration: configuration)
        for item in corpus.cases {
            // Disabling the data rule does not let adult wording out under a non-adult category:
            // the routing rule behind it cannot be disabled (issue 17).
            let expected = item.rule == PolicyRule.explicitOutsideAdultID ? ContentPolicy.adultOutsideAdultRuleID : nil
            XCTAssertEqual(evaluate(permissive, item).refusal?.ruleID, expected, item.prompt)
        }
    }
}
