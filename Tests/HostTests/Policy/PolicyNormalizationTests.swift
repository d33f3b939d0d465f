import XCTest
@testable import Host
@testable import Security

final class PolicyNormalizationTests: XCTestCase {
    private func texts(_ prompt: String) -> [String] { PolicyTextNormalizer.tokens(prompt).map(\.text) }
    private func forms(_ prompt: String) -> [[String]] { PolicyTextNormalizer.tokens(prompt).map(\.forms) }

    func testFoldingUndoesCompatibilityFormsInvisiblesHomoglyphsAndAccents() {
        XCTAssertEqual(PolicyTextNormalizer.fold("ＴＥＥＮ"), "teen")
        XCTAssertEqual(PolicyTextNormalizer.fold("t\u{200B}e\u{200D}e\u{00AD}n"), "teen")
        XCTAssertEqual(PolicyTextNormalizer.fold("tееn"), "teen")          // Cyrillic е
        XCTAssertEqual(PolicyTextNormalizer.fold("рοrn"), "porn")          // Cyrillic р, Greek ο
        XCTAssertEqual(PolicyTextNormalizer.fold("Écolière Déshabillée"), "ecoliere deshabillee")
        XCTAssertEqual(PolicyTextNormalizer.fold("𝐁𝐨𝐥𝐝 Ⓒircled ﬁ"), "bold circled fi")
        XCTAssertEqual(PolicyTextNormalizer.fold("œil Straße"), "oeil strasse")
        XCTAssertEqual(PolicyTextNormalizer.fold("&#116;&#x65;en &amp; te%65n"), "teen & teen")
        XCTAssertEqual(PolicyTextNormalizer.fold("100% cotton"), "100% cotton")
    }

    func testTokensSplitAgesAndReadLeetspeak() {
        XCTAssertEqual(texts("12yo, 1girl (teen:1.2) [a|b]"), ["12", "yo", "1", "girl", "teen", "1", "2", "a", "b"])
        XCTAssertTrue(forms("t33n")[0].contains("teen"))
        XCTAssertTrue(forms("l0l1")[0].contains("loli"))
        XCTAssertTrue(forms("teeeeen")[0].contains("teen"))
        XCTAssertTrue(forms("nuuude")[0].contains("nude"))
        XCTAssertTrue(forms("teen18")[0].contains("teen"))
        XCTAssertEqual(texts("$exy r@ped te!en"), ["sexy", "raped", "teien"])
        XCTAssertEqual(texts("Hello! $5"), ["hello", "5"])
        XCTAssertEqual(PolicyTextNormalizer.tokens("2026")[0].number, 2026)
    }

    func testAgeExpressions() {
        func ages(_ text: String) -> [Int] {
            AgeExpressionDetector.ages(in: PolicyTextNormalizer.tokens(text)).map(\.years)
        }
        XCTAssertEqual(ages("a 15 year old"), [15])
        XCTAssertEqual(ages("15-year-old"), [15])
        XCTAssertEqual(ages("15yo"), [15])
        XCTAssertEqual(ages("15 y.o."), [15])
        XCTAssertEqual(ages("15 yrs"), [15])
        XCTAssertEqual(ages("aged 015"), [15])
        XCTAssertEqual(ages("at the age of 9"), [9])
        XCTAssertEqual(ages("fifteen years of age"), [15])
        XCTAssertEqual(ages("her 12th birthday"), [12])
        XCTAssertEqual(ages("quinze ans"), [15])
        XCTAssertEqual(ages("âgée de 14 ans"), [14])
        XCTAssertEqual(ages("dix-sept ans"), [17])
        XCTAssertEqual(ages("dix-huit ans"), [18])
        XCTAssertEqual(ages("6 months old"), [0])
        XCTAssertEqual(ages("twenty-one years old"), [])
        XCTAssertEqual(ages("vingt et un ans"), [])
        XCTAssertEqual(ages("a 15th century castle"), [])
        XCTAssertEqual(ages("16 years of experience"), [])
        XCTAssertEqual(ages("15 years"), [])
    }

    func testNamedPersonPatterns() {
        func names(_ text: String) -> [String] { NamedPersonDetector.names(in: PolicyTextNormalizer.clean(text)) }
        XCTAssertEqual(names("photo of Marie Dupontel in a garden"), ["Marie Dupontel"])
        XCTAssertEqual(names("in the style of Anna van der Modelle"), ["Anna van der Modelle"])
        XCTAssertEqual(names("à la manière de Jean-Luc Inventé"), ["Jean-Luc Inventé"])
        XCTAssertEqual(names("photo of New York at night"), [])
        XCTAssertEqual(names("portrait of Beautiful Woman"), [])
        XCTAssertEqual(names("photo of The Beatles"), [])
        XCTAssertEqual(names("photo of Marie, Paris"), [])
        XCTAssertEqual(names("Photo Of Golden Hour Light On The Sea"), [])
        XCTAssertEqual(names("Photo of Marie Dupontel in lingerie"), ["Marie Dupontel"])
    }

    func testSpacedOutAndJoinedWordsDoNotTouchInnocentWords() throws {
        let policy = try ContentPolicy()
        for innocent in ["Middlesex", "Essex", "Sussex", "sextant", "Scunthorpe", "therapist", "kidney", "analyst",
                         "cocktail", "grapes", "a b c d e f", "I T A L I A"] {
            XCTAssertEqual(policy.evaluate(prompt: "\(innocent) lingerie", category: "c", isAdultCategory: true),
                           .allowed, innocent)
        }
    }
}
