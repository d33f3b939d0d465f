import Foundation
import XCTest
@testable import Host
@testable import Templates
@testable import ImagegenJSON5

/// The outline parser must agree with Foundation's JSON5 reader: what it accepts decodes, what it refuses
/// Foundation refuses too (it only adds the position). Each case is checked against Foundation itself.
final class TemplatesJSON5OutlineTests: XCTestCase {
    /// Decodes every value of a document, so Foundation checks all of it (it validates values lazily).
    private struct AnyDocument: Decodable {
        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            if let object = try? decoder.container(keyedBy: Key.self) {
                for key in object.allKeys { _ = try object.decode(AnyDocument.self, forKey: key) }
            } else if var array = try? decoder.unkeyedContainer() {
                while !array.isAtEnd { _ = try array.decode(AnyDocument.self) }
            } else {
                let value = try decoder.singleValueContainer()
                if value.decodeNil() { return }
                if (try? value.decode(Bool.self)) != nil { return }
                if (try? value.decode(Double.self)) != nil { return }
                _ = try value.decode(String.self)
            }
        }
    }

    private func foundationAccepts(_ text: String) -> Bool {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        return (try? decoder.decode(AnyDocument.self, from: Data(text.utf8))) != nil
    }

    func testAcceptsTheJSON5FeaturesFoundationAccepts() throws {
        let valid = [
            "{a: 0x1F, b: +1, c: .5, d: 5., e: -Infinity, f: NaN, g: 1e5, h: -.5e-3}",
            "{$a_1: 1, é: 2, \\u0061b: 3, 'quoted key': 4, \"double\": 5}",
            "{a: 'it\\'s', b: \"line\\\ncontinued\", c: '\\x41\\u00e9\\/', d: '\u{2028}'}",
            "{a: [1, 2,], b: {c: 3,},}",
            "// leading comment\n{a: 1 /* inline */} // trailing",
            "\u{FEFF}{a: 1}",
            "[true, false, null, 'x']",
        ]
        for text in valid {
            XCTAssertTrue(foundationAccepts(text), "Foundation refuses \(text.debugDescription)")
            XCTAssertNoThrow(try JSON5OutlineParser.parse(text), text.debugDescription)
        }
    }

    func testRefusesWhatFoundationRefusesAndSaysWhere() throws {
        // (text, offset of the error in scalars)
        let invalid: [(String, Int)] = [
            ("{a: 1,,}", 6),
            ("[1,,2]", 3),
            ("{a: tru}", 4),
            ("{a: true1}", 4),
            ("{a-b: 1}", 2),
            ("{a: 1} x", 7),
            ("{a:\u{A0}1}", 3),
            ("{a: 'tab\there'}", 8),
            ("{a: 01}", 4),
            ("{a: '\\1'}", 5),
            ("{a: '\\v'}", 5),
            ("{a: '\\0'}", 5),
            ("{a: '\\q'}", 5),
            ("{a: 0.5.5}", 4),
            ("{a: 1", 5),
            ("", 0),
        ]
        for (text, offset) in invalid {
            XCTAssertFalse(foundationAccepts(text), "Foundation accepts \(text.debugDescription)")
            XCTAssertThrowsError(try JSON5OutlineParser.parse(text), text.debugDescription) { error in
                XCTAssertEqual((error as? JSON5SyntaxError)?.offset, offset, text.debugDescription)
            }
        }
    }

    func testOutlineRecordsKeysValuesAndDuplicates() throws {
        let text = "{ name: 'x', list: [1, {b: 2}], name: 'y' }"
        let outline = try JSON5OutlineParser.parse(text)
        XCTAssertEqual(outline.root.member("name")?.value.stringValue, "x")
        XCTAssertEqual(outline.root.node(at: [.key("list"), .index(1), .key("b")])?.start, 27)
        XCTAssertEqual(outline.duplicateKeys, [JSON5DuplicateKey(key: "name", offset: 32, firstOffset: 2)])
        XCTAssertNil(outline.root.node(at: [.key("list"), .index(5)]))
    }

    func testDeepNestingIsRefusedNotCrashed() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try JSON5OutlineParser.parse(text))
    }
}
