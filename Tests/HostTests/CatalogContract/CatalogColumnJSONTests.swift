import Foundation
import XCTest
@testable import CatalogSQLite

/// The job and image JSON columns are written and read without JSONEncoder/JSONDecoder: rows
/// written before (by JSONEncoder) must read the same, and what is written now must read back.
final class CatalogColumnJSONTests: XCTestCase {
    private let awkward = ["", "a/b", "q\"uote", "back\\slash", "line\nbreak", "tab\t\u{1}", "é 😀"]

    private func legacy<T: Encodable>(_ v: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(v), as: UTF8.self)
    }

    func testStringListsRoundTripAndReadLegacyText() throws {
        XCTAssertEqual(SQLiteCatalog.decode([String].self, try SQLiteCatalog.encode(awkward)), awkward)
        XCTAssertEqual(SQLiteCatalog.decode([String].self, try legacy(awkward)), awkward)
        XCTAssertEqual(SQLiteCatalog.decode([String].self, try SQLiteCatalog.encode([String]())), [])
        XCTAssertNil(SQLiteCatalog.decode([String].self, #"["a", 1]"#), "a list that is not all strings reads as absent")
        XCTAssertNil(SQLiteCatalog.decode([String].self, "not json"))
        XCTAssertNil(SQLiteCatalog.decode([String].self, nil))
    }

    func testStringMapsRoundTripAndReadLegacyText() throws {
        let map = Dictionary(uniqueKeysWithValues: awkward.enumerated().map { ("k\($0.offset)" + $0.element, $0.element) })
        XCTAssertEqual(SQLiteCatalog.decode([String: String].self, try SQLiteCatalog.encode(map)), map)
        XCTAssertEqual(SQLiteCatalog.decode([String: String].self, try legacy(map)), map)
        XCTAssertNil(SQLiteCatalog.decode([String: String].self, #"{"a": null}"#))
    }

    func testJobExtraRoundTripsAndReadsLegacyText() throws {
        let extra = SQLiteCatalog.JobExtra(extra: ["template": "t/1", "arm": "b\""], tags: awkward)
        let written = try SQLiteCatalog.encode(extra)
        XCTAssertEqual(SQLiteCatalog.decode(SQLiteCatalog.JobExtra.self, written)?.extra, extra.extra)
        XCTAssertEqual(SQLiteCatalog.decode(SQLiteCatalog.JobExtra.self, written)?.tags, extra.tags)
        XCTAssertEqual(SQLiteCatalog.decode(SQLiteCatalog.JobExtra.self, try legacy(extra))?.tags, extra.tags)
        XCTAssertEqual(SQLiteCatalog.decode(SQLiteCatalog.JobExtra.self, try legacy(extra))?.extra, extra.extra)
        XCTAssertNil(SQLiteCatalog.decode(SQLiteCatalog.JobExtra.self, #"{"tags": []}"#), "both keys are required, as before")
    }
}
