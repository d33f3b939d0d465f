import Foundation
import XCTest
@testable import Security

/// The list files' line parser drops comments and the same blanks Foundation's
/// `trimmingCharacters(in: .whitespaces)` drops (it replaced that for speed), no more, no less.
final class PolicyListLinesTests: XCTestCase {
    func testEntriesDropCommentsBlanksAndEmptyLines() {
        let text = "# header\n\n  Ada Lovelace  \n\tGrace Hopper # a comment\n\u{00A0}Zlatan Ibrahimović\u{3000}\r\n   \n#only\nMay*\n"
        XCTAssertEqual(PolicyListLines.entries(text), ["Ada Lovelace", "Grace Hopper", "Zlatan Ibrahimović", "May*"])
    }

    func testEveryKindOfLineBreakSplitsAsCharacterIsNewlineDoes() {
        let breaks = ["\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"]
        for b in breaks {
            let text = "Ada Lovelace" + b + "Grace Hopper # x" + b + b + "Chloé Zhao\u{2019}s"
            let viaCharacters = text.split(whereSeparator: \.isNewline).compactMap { raw -> String? in
                let line = (raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                    .trimmingCharacters(in: .whitespaces)
                return line.isEmpty ? nil : line
            }
            XCTAssertEqual(PolicyListLines.entries(text).map(String.init), viaCharacters, b.unicodeScalars.map { String($0.value, radix: 16) }.joined())
        }
        // Bytes that start a multi-byte break but end otherwise are part of the name.
        XCTAssertEqual(PolicyListLines.entries("Ren\u{E9}e \u{2018}Q\u{2019}\nAl\u{A0}Bo"), ["Ren\u{E9}e \u{2018}Q\u{2019}", "Al\u{A0}Bo"])
    }

    func testTrimmingMatchesFoundationOnEveryKindOfBlank() {
        let blanks = ["\t", " ", "\u{00A0}", "\u{1680}", "\u{2000}", "\u{2007}", "\u{200A}", "\u{202F}", "\u{205F}", "\u{3000}"]
        let kept = ["\u{200B}", "\u{FEFF}", "\u{0085}", "x"]  // zero-width and other non-Zs stay
        for edge in blanks + kept {
            let line = edge + "Name Here" + edge
            XCTAssertEqual(String(PolicyListLines.trimmingBlanks(Substring(line))), line.trimmingCharacters(in: .whitespaces),
                           "U+" + String(edge.unicodeScalars.first!.value, radix: 16))
        }
    }

    func testTheShippedListsParseAsTheyDidThroughFoundation() {
        let viaFoundation = PublicFigureList.shippedText.split(whereSeparator: \.isNewline).compactMap { raw -> String? in
            let line = (raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: .whitespaces)
            return line.isEmpty ? nil : line
        }
        XCTAssertEqual(PublicFigureList.shipped.names, viaFoundation)
        XCTAssertGreaterThan(GivenNameList.shipped.count, 400)
    }
}
