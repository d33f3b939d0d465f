import Foundation
import XCTest
@testable import Security

/// The shipped public figures are folded at development time, so a server never runs ICU over
/// 13,000 names. These tests keep the pre-folded copy honest: a normalizer change that is not
/// followed by `scripts/embed-policy-lists.py` fails here, and the hard line still catches a
/// disguised name.
///
/// Generator mode: `IMAGEGEN_WRITE_PREFOLDED=1 swift test --filter PublicFigureFoldedTests`
/// rewrites `PublicFigureList+ShippedFolded.swift` (the script does this).
final class PublicFigureFoldedTests: XCTestCase {
    static let generatedFile = TestEnvironment.repositoryRoot + "/Sources/Security/Policy/PublicFigureList+ShippedFolded.swift"

    func testEveryShippedNameRefoldsToItsPrefoldedLine() throws {
        let names = PublicFigureList.shipped.names
        if ProcessInfo.processInfo.environment["IMAGEGEN_WRITE_PREFOLDED"] == "1" {
            try PublicFigureList.prefoldedSource(for: .shipped).write(toFile: Self.generatedFile, atomically: true, encoding: .utf8)
            return
        }
        let lines = PublicFigureList.shippedFoldedText.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, names.count, "one pre-folded line per shipped name: run scripts/embed-policy-lists.py")
        var differing: [String] = []
        for (name, line) in zip(names, lines) {
            let refolded = PublicFigureList.lexiconWords(of: name).joined(separator: " ")
            if refolded != String(line) { differing.append("\(name): shipped '\(line)', folds to '\(refolded)'") }
        }
        XCTAssertEqual(differing.count, 0, "run scripts/embed-policy-lists.py:\n" + differing.prefix(10).joined(separator: "\n"))
    }

    /// The lexicon a server uses is the pre-folded one, and it holds exactly what folding the
    /// names at run time would.
    func testShippedLexiconComesFromThePrefoldedLinesAndEqualsAFoldedOne() throws {
        let prefolded = try XCTUnwrap(PublicFigureList.shipped.prefoldedLexicon(PublicFigureList.shippedFoldedText),
                                      "the pre-folded lines do not line up with the names")
        let folded = PublicFigureList.shipped.makeLexicon()
        XCTAssertGreaterThan(folded.singles.count, 10_000)
        for (label, lexicon) in [("pre-folded", prefolded), ("shippedLexicon", PublicFigureList.shippedLexicon)] {
            XCTAssertEqual(Self.differences(lexicon.singles, folded.singles), [], label)
            XCTAssertEqual(Self.differences(Self.terms(lexicon), Self.terms(folded)), [], label)
        }
    }

    /// Keys whose values differ, a few at most (a whole 13,000-entry dictionary is no message).
    private static func differences<Value: Equatable>(_ left: [String: Value], _ right: [String: Value]) -> [String] {
        Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted().prefix(10).map { $0 }
    }

    /// The shipped list, parsed on first use, is the list its text gives; a replacement is not it.
    func testTheShippedListIsItsTextParsedOnFirstUse() {
        let parsed = PublicFigureList(text: PublicFigureList.shippedText)
        XCTAssertGreaterThan(PublicFigureList.shipped.count, 10_000)
        XCTAssertEqual(PublicFigureList.shipped.names, parsed.names)
        XCTAssertEqual(PublicFigureList.shipped, parsed)
        let replaced = PublicFigureList(text: "Zorblat Quux\n")
        XCTAssertNotEqual(replaced, .shipped)
        XCTAssertNotEqual(replaced.fingerprint, PublicFigureList.shipped.fingerprint)
        XCTAssertTrue(PublicFigureList.shipped.isShipped)
        XCTAssertFalse(parsed.isShipped)
    }

    func testStaleLinesAreNotUsed() {
        let list = PublicFigureList(text: "Taylor Swift\nZlatan Ibrahimović\n")
        XCTAssertNil(list.prefoldedLexicon("taylor swift"), "fewer lines than names")
        XCTAssertEqual(list.prefoldedLexicon("taylor swift\nzlatan ibrahimovic")?.singles["zlatanibrahimovic"], ["Zlatan Ibrahimović"])
    }

    /// Public figures written with look-alike letters, fullwidth forms or changed accents are
    /// still refused by the protected-name hard line in an adult prompt.
    func testDisguisedPublicFiguresAreStillRefusedInAdultPrompts() throws {
        let policy = try ContentPolicy()
        let cases: [(prompt: String, name: String)] = [
            ("T\u{430}ylor \u{405}w\u{456}ft in lace lingerie", "Taylor Swift"),            // Cyrillic а, Ѕ, і
            ("\u{FF3A}\u{FF4C}\u{FF41}\u{FF54}\u{FF41}\u{FF4E} ibrahimovic, boudoir photo", "Zlatan Ibrahimović"), // fullwidth, no háček
            ("Pénelopè Nová posing nude", "Penélope Nova"),                                  // accents moved
            ("beyoncé knowles topless", "Beyonce Knowles"),                                  // accent added
        ]
        for (prompt, name) in cases {
            let refusal = policy.evaluate(prompt: prompt, category: "boudoir", isAdultCategory: true).refusal
            XCTAssertEqual(refusal?.ruleID, "hard.real-person.protected", prompt)
            XCTAssertTrue(refusal?.triggers.contains(name) == true, "\(prompt): \(refusal?.triggers ?? [])")
        }
        XCTAssertTrue(policy.evaluate(prompt: "a lighthouse in lace-like fog", category: "boudoir", isAdultCategory: true).isAllowed)
    }

    private static func terms(_ lexicon: PolicyLexicon<String>) -> [String: [String]] {
        lexicon.multi.mapValues { terms in
            terms.map { $0.words.joined(separator: " ") + " | " + $0.labels.sorted().joined(separator: ", ") }.sorted()
        }
    }
}
