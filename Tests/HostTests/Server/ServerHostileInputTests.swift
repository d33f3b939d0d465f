import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// Issue 16: no request can crash the host. Every route's query parameters, path ids and JSON
/// body fields are sent hostile values (huge, negative, NaN-like, overflowing numbers, long
/// strings, wrong types); every answer must be a 4xx (or a plain 2xx where the value is merely
/// odd, such as an unknown tag), never a 5xx or a dead socket, and `/healthz` still answers 200.
/// Bounded: a fixed list of values, sent once each.
final class ServerHostileInputTests: XCTestCase {
    static let hostileNumbers = ["1e300", "-1e300", "9.3e15", "-9.3e15", "1e19", "9223372036854775808",
                                 "-9223372036854775809", "NaN", "nan", "inf", "-Infinity", "0x7fffffff",
                                 "99999999999999999999999999999", "-1", "1.5", "", "%00", "%FF%FE"]
    static let longString = String(repeating: "x", count: 4000)

    private func query(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-.%"))) ?? value
    }

    func testHostileQueryParametersAndPathIdsNeverCrashTheServer() async throws {
        let h = try await ServerTestHarness(label: "srv-hostile-query")
        defer { Task { await h.stop() } }
        let routes: [(String, [String])] = [
            ("/v1/images", ["category", "tag", "model", "since", "status", "job", "limit", "available"]),
            ("/v1/images?available=true", ["limit", "category", "tag"]),
            ("/v1/jobs", ["state", "batch", "limit"]),
            ("/v1/costs", ["by", "since"]),
            ("/v1/stats", ["by", "since"]),
        ]
        for (path, parameters) in routes {
            for name in parameters {
                for value in Self.hostileNumbers + [Self.longString] {
                    let joiner = path.contains("?") ? "&" : "?"
                    let r = try await h.client.get("\(path)\(joiner)\(name)=\(query(value))")
                    XCTAssertTrue((200..<500).contains(r.status), "\(path) \(name)=\(value.prefix(40)): \(r.status) \(r.text.prefix(200))")
                }
            }
        }
        // Out-of-range times and limits are refused, naming the field.
        for value in ["1e300", "-1e300", "9.3e15", "-9.3e15", "1e19"] {
            for path in ["/v1/images", "/v1/costs", "/v1/stats"] {
                let r = try await h.client.get("\(path)?since=\(value)")
                XCTAssertEqual(r.status, 400, "\(path)?since=\(value): \(r.text)")
                XCTAssertEqual(r.errorCode, "invalid_request")
                XCTAssertTrue(r.text.contains("since"), r.text)
            }
        }
        for id in Self.hostileNumbers.filter({ !$0.isEmpty }) + [Self.longString] {
            for (method, path) in [("GET", "/v1/jobs/\(query(id))"), ("DELETE", "/v1/jobs/\(query(id))"),
                                   ("GET", "/v1/images/\(query(id))"), ("GET", "/v1/images/\(query(id))/file"),
                                   ("DELETE", "/v1/images/\(query(id))/reservation"), ("POST", "/v1/images/\(query(id))/release"),
                                   ("GET", "/v1/images/\(query(id))/thumbnail")] {
                let r = try await h.client.send(method, path)
                XCTAssertTrue((400..<500).contains(r.status), "\(method) \(path.prefix(60)): \(r.status) \(r.text.prefix(200))")
            }
        }
        let health = try await h.client.get("/healthz")
        XCTAssertEqual(health.status, 200)
        await h.stop()
    }

    func testHostileJSONBodyFieldsNeverCrashTheServer() async throws {
        let h = try await ServerTestHarness(label: "srv-hostile-body")
        defer { Task { await h.stop() } }
        // Raw JSON texts: numbers beyond Double, Int64, UInt64 and UInt32, and nesting beyond
        // any decoder's depth, must be refused; odd but representable values (negative, fractional,
        // null, empty, long) may be accepted, but never answered with a 5xx.
        let overflowing = ["1e300", "-1e300", "9.3e15", "1e400", "-1e400", "9223372036854775808", "-9223372036854775809",
                           "18446744073709551616", "4294967296", "[1e300]",
                           String(repeating: "[", count: 600) + String(repeating: "]", count: 600)]
        let odd = ["-1", "0.5", "\"NaN\"", "\"1e300\"", "true", "null", "[]", "{}", "\"\(Self.longString)\""]
        let topFields = ["prompt", "negative_prompt", "model", "category", "template", "profile", "variations", "priority",
                         "deadline", "wait", "tags", "parameters"]
        let parameterFields = ["width", "height", "steps", "guidance_scale", "seed"]
        for value in overflowing + odd {
            let refused = overflowing.contains(value)
            for field in topFields {
                let base = field == "prompt" ? "" : "\"prompt\":\"x\","
                try await expect(h, refused, "POST", "/v1/generations", "{\(base)\"\(field)\":\(value)}")
            }
            for field in parameterFields {
                try await expect(h, refused, "POST", "/v1/generations", "{\"prompt\":\"x\",\"parameters\":{\"\(field)\":\(value)}}")
                try await expect(h, refused, "POST", "/v1/generations", "{\"template\":\"t\",\"parameters\":{\"\(field)\":\(value)}}")
            }
            try await expect(h, refused, "POST", "/v1/images/img_x/rating", "{\"rating\":\(value)}")
            try await expect(h, refused, "POST", "/v1/images/img_x/reservation", "{\"channel\":\(value),\"day\":\(value)}")
            try await expect(h, refused, "POST", "/v1/images/img_x/reservation", "{\"channel\":\"c\",\"day\":\(value)}")
            try await expect(h, refused, "POST", "/v1/images/img_x/process", "{\"profile\":\(value)}")
        }
        let health = try await h.client.get("/healthz")
        XCTAssertEqual(health.status, 200)
        await h.stop()
    }

    /// `refused`: the answer must be a 4xx; otherwise anything but a 5xx.
    private func expect(_ h: ServerTestHarness, _ refused: Bool, _ method: String, _ path: String, _ body: String,
                        file: StaticString = #filePath, line: UInt = #line) async throws {
        let r = try await h.client.send(method, path, body: Data(body.utf8), headers: ["Content-Type": "application/json"])
        XCTAssertTrue((refused ? 400..<500 : 200..<500).contains(r.status), "\(path) \(body.prefix(80)): \(r.status) \(r.text.prefix(200))",
                      file: file, line: line)
    }

    // MARK: Strict JSON

    func testNonJSONBodiesAreRefusedWithTheirPosition() async throws {
        let h = try await ServerTestHarness(label: "srv-strict-json")
        defer { Task { await h.stop() } }
        let cases: [(String, String)] = [
            ("{\"prompt\":\"x\",}", "line 1, column 15"),
            ("{\"tags\":[\"a\",],}", "line 1, column 14"),
            ("{\"prompt\":\"x\" // note\n}", "line 1, column 15"),
            ("{\"prompt\":\"x\",\n /* c */ \"model\":\"preview\"}", "line 2, column 2"),
            ("{\"prompt\":\"x\",\"wait\":NaN}", "column 22"),
            ("{\"prompt\":\"x\",\"wait\":Infinity}", "column 22"),
            ("{\"prompt\":\"x\",\"wait\":-Infinity}", "column 23"),
            ("{'prompt':'x'}", "column 2"),
            ("{prompt:\"x\"}", "column 2"),
            ("{\"prompt\":\"x\",\"wait\":01}", "column 23"),
            ("{\"prompt\":\"x\"} {}", "column 16"),
        ]
        for (body, position) in cases {
            let r = try await h.client.send("POST", "/v1/generations", body: Data(body.utf8),
                                            headers: ["Content-Type": "application/json"])
            XCTAssertEqual(r.status, 400, "\(body): \(r.text)")
            XCTAssertEqual(r.errorCode, "invalid_json", "\(body): \(r.text)")
            XCTAssertTrue(r.text.contains(position), "\(body) should name \(position): \(r.text)")
        }
        let rating = try await h.client.send("POST", "/v1/images/img_x/rating", body: Data("{\"rating\":5,}".utf8),
                                             headers: ["Content-Type": "application/json"])
        XCTAssertEqual(rating.errorCode, "invalid_json", rating.text)
        // Strict JSON is still JSON: whitespace, escapes and exponents pass the syntax check.
        let valid = try await h.client.send("POST", "/v1/generations",
                                            body: Data("{ \"prompt\" : \"a \\u00e9\\n\" ,\r\n \"wait\": 0e0, \"tags\": [ ] }".utf8),
                                            headers: ["Content-Type": "application/json"])
        XCTAssertNotEqual(valid.errorCode, "invalid_json", valid.text)
        await h.stop()
    }
}
