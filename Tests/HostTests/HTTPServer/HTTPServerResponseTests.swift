import Foundation
import XCTest
@testable import Host
@testable import HTTPServer

/// Response bytes on the wire: framing owned by the server, no header injection, bodiless statuses.
final class HTTPServerResponseTests: XCTestCase {
    private let date = Array("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n".utf8)

    private func wire(_ response: HTTPResponse, omitBody: Bool = false,
                      connection: HTTPResponseSerializer.ConnectionHeader = .none) -> String {
        var out: [UInt8] = []
        HTTPResponseSerializer.serialize(response, omitBody: omitBody, connection: connection, dateLine: date, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func testJSONResponseWireFormat() {
        let text = wire(.json(["b": 1, "a": 2]), connection: .close)
        XCTAssertEqual(text, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                       + "Content-Length: 13\r\nConnection: close\r\n\r\n{\"a\":2,\"b\":1}")
    }

    func testServerOwnsFramingHeaders() {
        let response = HTTPResponse(status: .ok, headers: ["Content-Length": "999", "Connection": "keep-alive",
                                                           "Transfer-Encoding": "chunked", "X-Kept": "yes"], body: Array("abc".utf8))
        let text = wire(response)
        XCTAssertTrue(text.contains("Content-Length: 3\r\n"))
        XCTAssertFalse(text.contains("999"))
        XCTAssertFalse(text.contains("chunked"))
        XCTAssertFalse(text.contains("keep-alive"))
        XCTAssertTrue(text.contains("X-Kept: yes\r\n"))
    }

    func testHeaderInjectionIsDropped() {
        let response = HTTPResponse(status: .ok, headers: ["X-Evil": "a\r\nSet-Cookie: x=1", "Bad Name": "v", "X-Fine": "ok"])
        let text = wire(response)
        XCTAssertFalse(text.contains("Set-Cookie"))
        XCTAssertFalse(text.contains("Bad Name"))
        XCTAssertTrue(text.contains("X-Fine: ok\r\n"))
    }

    func testBodilessResponses() {
        XCTAssertEqual(wire(.noContent), "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n")
        let head = wire(.text("hello"), omitBody: true)
        XCTAssertTrue(head.hasSuffix("Content-Length: 5\r\n\r\n"), head)
        XCTAssertTrue(wire(.text("x"), connection: .keepAlive).contains("Connection: keep-alive\r\n"))
    }

    func testErrorShape() throws {
        let response = HTTPResponse.error(.notFound, code: "not_found", message: "no such job")
        XCTAssertEqual(response.status.code, 404)
        XCTAssertEqual(response.headers["content-type"], "application/json")
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: [String: String]]
        XCTAssertEqual(object?["error"], ["code": "not_found", "message": "no such job"])
    }

    func testDateFormat() {
        XCTAssertEqual(HTTPDateHeader.format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDateHeader.format(0), "Thu, 01 Jan 1970 00:00:00 GMT")
    }
}
