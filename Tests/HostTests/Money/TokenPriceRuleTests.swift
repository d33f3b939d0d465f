import Foundation
import XCTest
@testable import Host
@testable import ImagegenCore

/// The `per_million_tokens` price rule: decoded from a description or the config, exact for
/// reported tokens, unknown (never 0) when tokens or a token kind's price are missing.
final class TokenPriceRuleTests: XCTestCase {
    func decode(_ json: String) throws -> PriceRule {
        try JSONDecoder().decode(PriceRule.self, from: Data(json.utf8))
    }

    func testDecodesAndPricesReportedTokensExactly() throws {
        let rule = try decode(#"{"per_million_tokens": {"text_input": 5, "image_input": 8, "image_output": 30, "expected_output_tokens_per_megapixel": 1685}}"#)
        let usage = TokenUsage(inputTextTokens: 20, inputImageTokens: 100, outputImageTokens: 1767)
        let cost = try XCTUnwrap(rule.actualCost(width: 1024, height: 1024, outputs: 1, providerSeconds: nil, tokens: usage))
        let expected: Double = (20 * 5 + 100 * 8 + 1767 * 30) / 1_000_000
        XCTAssertEqual(cost, expected, accuracy: 1e-15)
        // A round trip keeps it (the model table and `imagegen models --json` encode rules).
        XCTAssertEqual(try decode(String(decoding: try JSONEncoder().encode(rule), as: UTF8.self)), rule)
    }

    func testWithoutReportedTokensOrWithAnUnpricedKindTheCostIsUnknown() throws {
        let rule = try decode(#"{"per_million_tokens": {"text_input": 5, "image_output": 40}}"#)
        XCTAssertNil(rule.actualCost(width: 1024, height: 1024, outputs: 1, providerSeconds: 3))
        XCTAssertNil(rule.actualCost(width: 1024, height: 1024, outputs: 1, providerSeconds: nil,
                                     tokens: TokenUsage(inputTextTokens: 10, inputImageTokens: 5, outputImageTokens: 100)),
                     "image input has no price in this rule")
        XCTAssertNil(rule.actualCost(width: 1024, height: 1024, outputs: 1, providerSeconds: nil,
                                     tokens: TokenUsage(inputTextTokens: 10, outputImageTokens: 100, outputTextTokens: 3)),
                     "text output has no price in this rule")
        XCTAssertNil(rule.expectedCost(width: 1024, height: 1024, outputs: 1), "no estimate: nothing to reserve")
    }

    func testReservationScalesWithAreaAndOutputs() throws {
        let rule = try decode(#"{"per_million_tokens": {"text_input": 5, "image_output": 40, "expected_output_tokens_per_megapixel": 1000}}"#)
        let expected: Double = 2 * 1000 * 40 / 1_000_000
        XCTAssertEqual(try XCTUnwrap(rule.expectedCost(width: 1000, height: 1000, outputs: 2)), expected, accuracy: 1e-15)
    }

    func testIncompleteOrNegativeRulesAreRefused() {
        XCTAssertThrowsError(try decode(#"{"per_million_tokens": {"text_input": 5}}"#))
        XCTAssertThrowsError(try decode(#"{"per_million_tokens": {"text_input": -1, "image_output": 30}}"#))
        XCTAssertThrowsError(try decode(#"{"per_image": 0.1, "per_million_tokens": {"text_input": 5, "image_output": 30}}"#))
    }
}
