import Foundation
import XCTest
import ImagegenJSON

/// JSONValue is what crosses the plugin boundary: its encoding must be exact JSON.
final class JSONValueTests: XCTestCase {
    func testRoundTripKeepsTypes() throws {
        let text = #"{"a":true,"b":1,"c":1.5,"d":"x\"y\\z\n\u0001é","e":null,"f":[false,0,-3],"g":{"h":1e-7}}"#
        let v = try XCTUnwrap(JSONValue.parse(Array(text.utf8)))
        XCTAssertEqual(v["a"], .bool(true))
        XCTAssertEqual(v["b"], .number(1))
        XCTAssertEqual(v["d"], .string("x\"y\\z\n\u{01}é"))
        XCTAssertEqual(v["e"], .null)
        XCTAssertEqual(v["f"], [false, 0, -3])
        let again = try XCTUnwrap(JSONValue.parse(v.encoded()))
        XCTAssertEqual(again, v)
        // Foundation agrees that the encoding is valid JSON.
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: v.encoded()))
    }

    func testEncodingIsCompactSortedAndStable() {
        let v: JSONValue = ["z": 1, "a": [true, nil, "s"], "m": 2.5]
        XCTAssertEqual(String(decoding: v.encoded(), as: UTF8.self), #"{"a":[true,null,"s"],"m":2.5,"z":1}"#)
        XCTAssertEqual(String(decoding: JSONValue.number(.nan).encoded(), as: UTF8.self), "null")
        XCTAssertEqual(String(decoding: JSONValue.string("\t\r").encoded(), as: UTF8.self), #""\t\r""#)
    }

    func testEveryKindOfValueParsesAtTopLevelAndNested() throws {
        XCTAssertEqual(JSONValue.parse(Array(#""s""#.utf8)), .string("s"))
        XCTAssertEqual(JSONValue.parse(Array("0".utf8)), .number(0))
        XCTAssertEqual(JSONValue.parse(Array("1".utf8)), .number(1), "1 is a number, not true")
        XCTAssertEqual(JSONValue.parse(Array("false".utf8)), .bool(false), "false is a boolean, not 0")
        XCTAssertEqual(JSONValue.parse(Array("null".utf8)), .null)
        XCTAssertEqual(JSONValue.parse(Array(#"[{"a":[{}]},[],"1",1,true,null]"#.utf8)),
                       [["a": [[:]]], [], "1", 1, true, nil])
    }

    func testMalformedInputIsNil() {
        XCTAssertNil(JSONValue.parse(Array(#"{"a":"#.utf8)))
        XCTAssertNil(JSONValue.parse(Array("not json".utf8)))
    }
}
