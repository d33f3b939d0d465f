import XCTest
@testable import Host
@testable import HTTPServer

/// Request-head parsing: grammar, limits and the smuggling shapes of `reference/http-server.md` §1–§2, §5.
final class HTTPServerParserTests: XCTestCase {
    private func parse(_ text: String, limits: HTTPServerLimits = .default) -> HTTPRequestHeadParser.Outcome {
        parse(bytes: Array(text.utf8), limits: limits)
    }

    private func parse(bytes: [UInt8], limits: HTTPServerLimits = .default) -> HTTPRequestHeadParser.Outcome {
        var parser = HTTPRequestHeadParser(limits: limits)
        return bytes.withUnsafeBufferPointer { parser.parse($0) }
    }

    /// Feeds the bytes one at a time, as a trickling client would.
    private func parseIncrementally(_ text: String, limits: HTTPServerLimits = .default) -> (HTTPRequestHeadParser.Outcome, incompleteSteps: Int) {
        var parser = HTTPRequestHeadParser(limits: limits)
        let bytes = Array(text.utf8)
        var incomplete = 0
        for end in 1...bytes.count {
            let outcome = bytes[0..<end].withUnsafeBufferPointer { parser.parse($0) }
            if case .incomplete = outcome { incomplete += 1; continue }
            return (outcome, incomplete)
        }
        return (.incomplete, incomplete)
    }

    private func head(_ outcome: HTTPRequestHeadParser.Outcome, file: StaticString = #filePath, line: UInt = #line) -> (HTTPRequestHead, Int)? {
        if case .complete(let head, let consumed) = outcome { return (head, consumed) }
        XCTFail("expected a complete head, got \(outcome)", file: file, line: line)
        return nil
    }

    private func assertFails(_ text: String, _ expected: HTTPParseError, status: Int, limits: HTTPServerLimits = .default,
                             file: StaticString = #filePath, line: UInt = #line) {
        guard case .failed(let error) = parse(text, limits: limits) else {
            XCTFail("expected \(expected), got \(parse(text, limits: limits))", file: file, line: line)
            return
        }
        XCTAssertEqual(error, expected, file: file, line: line)
        XCTAssertEqual(error.status.code, status, file: file, line: line)
    }

    // MARK: Valid requests

    func testParsesSimpleGet() throws {
        let text = "GET /v1/models?x=1 HTTP/1.1\r\nHost: localhost:8080\r\nAccept: application/json\r\n\r\n"
        guard let (head, consumed) = head(parse(text)) else { return }
        XCTAssertEqual(head.method, .get)
        XCTAssertEqual(head.target, "/v1/models?x=1")
        XCTAssertEqual(head.version, .http1_1)
        XCTAssertEqual(head.headers["accept"], "application/json")
        XCTAssertEqual(head.headers["HOST"], "localhost:8080")
        XCTAssertEqual(head.framing, .none)
        XCTAssertTrue(head.keepAlive)
        XCTAssertFalse(head.expectsContinue)
        XCTAssertEqual(consumed, text.utf8.count)
    }

    func testTrimsOptionalWhitespaceAroundValues() {
        guard let (head, _) = head(parse("GET / HTTP/1.1\r\nHost: a\r\nX-Test: \t  spaced value \t\r\n\r\n")) else { return }
        XCTAssertEqual(head.headers["x-test"], "spaced value")
    }

    func testIgnoresLeadingEmptyLines() {
        guard let (head, _) = head(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")) else { return }
        XCTAssertEqual(head.target, "/")
    }

    func testHTTP10WithoutHostIsAcceptedAndNotPersistent() {
        guard let (plain, _) = head(parse("GET / HTTP/1.0\r\n\r\n")) else { return }
        XCTAssertEqual(plain.version, .http1_0)
        XCTAssertFalse(plain.keepAlive)
        guard let (keepAlive, _) = head(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")) else { return }
        XCTAssertTrue(keepAlive.keepAlive)
    }

    func testConnectionCloseEndsPersistence() {
        guard let (head, _) = head(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n")) else { return }
        XCTAssertFalse(head.keepAlive)
    }

    func testHigherMinorVersionIsServedAsHTTP11() {
        guard let (head, _) = head(parse("GET / HTTP/1.7\r\nHost: a\r\n\r\n")) else { return }
        XCTAssertEqual(head.version, .http1_1)
    }

    func testContentLengthAndChunkedFraming() {
        guard let (fixed, _) = head(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n")) else { return }
        XCTAssertEqual(fixed.framing, .contentLength(42))
        guard let (zero, _) = head(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")) else { return }
        XCTAssertEqual(zero.framing, .none)
        guard let (chunked, _) = head(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n")) else { return }
        XCTAssertEqual(chunked.framing, .chunked)
    }

    func testExpectContinueIsRecognisedOnlyWithABody() {
        guard let (withBody, _) = head(parse("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")) else { return }
        XCTAssertTrue(withBody.expectsContinue)
        guard let (noBody, _) = head(parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n")) else { return }
        XCTAssertFalse(noBody.expectsContinue)
        assertFails("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 200-ok\r\n\r\n", .unsupportedExpectation, status: 417)
    }

    func testConsumesOnlyTheFirstOfPipelinedRequests() {
        let first = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
        guard let (head, consumed) = head(parse(first + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n")) else { return }
        XCTAssertEqual(head.target, "/1")
        XCTAssertEqual(consumed, first.utf8.count)
    }

    func testByteByByteInputGivesTheSameHead() {
        let text = "POST /v1/generations HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\nX-A: b\r\n\r\n"
        let (outcome, steps) = parseIncrementally(text)
        guard let (head, consumed) = head(outcome) else { return }
        XCTAssertEqual(steps, text.utf8.count - 1)
        XCTAssertEqual(head.framing, .contentLength(7))
        XCTAssertEqual(head.headers["x-a"], "b")
        XCTAssertEqual(consumed, text.utf8.count)
    }

    func testExactlyTheMaximumHeaderCountIsAccepted() {
        var limits = HTTPServerLimits()
        limits.maxHeaderCount = 5
        let text = "GET / HTTP/1.1\r\nHost: a\r\n" + (1...4).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        _ = head(parseIncrementally(text, limits: limits).0)
        _ = head(parse(text, limits: limits))
    }

    // MARK: Request line

    func testMalformedRequestLines() {
        assertFails("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine, status: 400)
        assertFails("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod, status: 400)
        assertFails("GET /\r\nHost: a\r\n\r\n", .malformedRequestLine, status: 400)
        assertFails("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", .invalidVersion, status: 400)
        assertFails("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidVersion, status: 400)
        assertFails("GET / http/1.1\r\nHost: a\r\n\r\n", .invalidVersion, status: 400)
        assertFails("GET / HTTP/1.10\r\nHost: a\r\n\r\n", .invalidVersion, status: 400)
        assertFails("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod, status: 400)
        assertFails(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", .malformedRequestLine, status: 400)
    }

    func testUnsupportedMajorVersionIs505() {
        assertFails("GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion(major: 2), status: 505)
        assertFails("GET / HTTP/0.9\r\nHost: a\r\n\r\n", .unsupportedVersion(major: 0), status: 505)
    }

    func testOnlyOriginFormTargetsAreServed() {
        assertFails("GET http://evil/admin HTTP/1.1\r\nHost: a\r\n\r\n", .unsupportedTargetForm, status: 400)
        assertFails("CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", .unsupportedTargetForm, status: 400)
        _ = head(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"))
        assertFails("GET * HTTP/1.1\r\nHost: a\r\n\r\n", .unsupportedTargetForm, status: 400)
    }

    func testNonASCIIInTargetIsRefused() {
        let bytes = Array("GET /caf".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        guard case .failed(let error) = parse(bytes: bytes) else { return XCTFail("expected failure") }
        XCTAssertEqual(error, .invalidRequestTarget)
    }

    func testOverlongRequestLineIs414EvenBeforeItEnds() {
        var limits = HTTPServerLimits()
        limits.maxRequestLineBytes = 64
        let longTarget = "/" + String(repeating: "a", count: 100)
        assertFails("GET \(longTarget) HTTP/1.1\r\nHost: a\r\n\r\n", .requestLineTooLong(limit: 64), status: 414, limits: limits)
        // No line end yet: the limit still applies to what has arrived.
        assertFails("GET \(longTarget)", .requestLineTooLong(limit: 64), status: 414, limits: limits)
    }

    func testOverlongMethodIs501() {
        let method = String(repeating: "M", count: 40)
        assertFails("\(method) / HTTP/1.1\r\nHost: a\r\n\r\n", .methodTooLong(limit: 32), status: 501)
        assertFails(method, .methodTooLong(limit: 32), status: 501)
    }

    func testBinaryJunkFailsBeforeTheLineEnds() {
        guard case .failed(let error) = parse(bytes: [0x16, 0x03, 0x01, 0x02, 0x00]) else { return XCTFail("expected failure") }
        XCTAssertEqual(error.status.code, 400)
    }

    // MARK: Header syntax

    func testWhitespaceBeforeColonIs400() {
        assertFails("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", .whitespaceBeforeColon, status: 400)
        assertFails("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", .whitespaceBeforeColon, status: 400)
    }

    func testObsoleteLineFoldingIs400() {
        assertFails("GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n", .obsoleteLineFolding, status: 400)
        assertFails("GET / HTTP/1.1\r\n\tHost: a\r\n\r\n", .obsoleteLineFolding, status: 400)
    }

    func testBareCarriageReturnIs400() {
        assertFails("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rX-B: c\r\n\r\n", .bareCarriageReturn, status: 400)
        assertFails("GET / HTTP/1.1\rHost: a\r\n\r\n", .bareCarriageReturn, status: 400)
        assertFails("GET / HTTP/1.1\r\nHost: a\r\nX\rY: c\r\n\r\n", .bareCarriageReturn, status: 400)
    }

    func testBareLineFeedIs400() {
        assertFails("GET / HTTP/1.1\nHost: a\r\n\r\n", .bareLineFeed, status: 400)
        assertFails("GET / HTTP/1.1\r\nHost: a\n\n", .bareLineFeed, status: 400)
    }

    func testInvalidHeaderNamesAndValues() {
        assertFails("GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n", .invalidHeaderName, status: 400)
        assertFails("GET / HTTP/1.1\r\nHost: a\r\nBad Name: v\r\n\r\n", .invalidHeaderName, status: 400)
        assertFails("GET / HTTP/1.1\r\nHost: a\r\nX(y): v\r\n\r\n", .invalidHeaderName, status: 400)
        assertFails("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", .missingColon, status: 400)
        let nul = Array("GET / HTTP/1.1\r\nHost: a\r\nX-A: b".utf8) + [0x00] + Array("c\r\n\r\n".utf8)
        guard case .failed(let error) = parse(bytes: nul) else { return XCTFail("expected failure") }
        XCTAssertEqual(error, .invalidHeaderValue)
    }

    func testObsTextInValuesIsOpaqueButAccepted() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf".utf8) + [0xC3, 0xA9] + Array("\r\n\r\n".utf8)
        guard let (head, _) = head(parse(bytes: bytes)) else { return }
        XCTAssertEqual(head.headers["x-name"], "café")
    }

    // MARK: Header limits

    func testOversizedHeaderSectionIs431() {
        var limits = HTTPServerLimits()
        limits.maxHeaderSectionBytes = 256
        let many = (1...20).map { "X-Header-\($0): some value here\r\n" }.joined()
        assertFails("GET / HTTP/1.1\r\nHost: a\r\n\(many)\r\n", .headerSectionTooLarge(limit: 256), status: 431, limits: limits)
        // Unterminated: refused as soon as the budget is exceeded.
        assertFails("GET / HTTP/1.1\r\nHost: a\r\n\(many)", .headerSectionTooLarge(limit: 256), status: 431, limits: limits)
    }

    func testOverlongHeaderLineIs431() {
        var limits = HTTPServerLimits()
        limits.maxHeaderLineBytes = 100
        let value = String(repeating: "v", count: 200)
        assertFails("GET / HTTP/1.1\r\nHost: a\r\nCookie: \(value)\r\n\r\n", .headerLineTooLong(limit: 100), status: 431, limits: limits)
        assertFails("GET / HTTP/1.1\r\nHost: a\r\nCookie: \(value)", .headerLineTooLong(limit: 100), status: 431, limits: limits)
    }

    func testTooManyHeadersIs431() {
        var limits = HTTPServerLimits()
        limits.maxHeaderCount = 10
        let many = (1...11).map { "X-\($0): v\r\n" }.joined()
        assertFails("GET / HTTP/1.1\r\nHost: a\r\n\(many)\r\n", .tooManyHeaders(limit: 10), status: 431, limits: limits)
    }

    // MARK: Host

    func testHostRules() {
        assertFails("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .missingHost, status: 400)
        assertFails("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost, status: 400)
        assertFails("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", .duplicateHost, status: 400)
        assertFails("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", .invalidHost, status: 400)
        assertFails("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", .invalidHost, status: 400)
        _ = head(parse("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"))
        _ = head(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n"))
    }

    // MARK: Body framing (smuggling shapes)

    func testContentLengthWithTransferEncodingIs400() {
        assertFails("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                    .contentLengthWithTransferEncoding, status: 400)
        assertFails("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
                    .contentLengthWithTransferEncoding, status: 400)
    }

    func testDuplicateOrInvalidContentLengthIs400() {
        assertFails("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .duplicateContentLength, status: 400)
        assertFails("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", .duplicateContentLength, status: 400)
        for value in ["5, 5", "-1", "+5", "0x10", "", "1 0", "5_0", "99999999999999999999999"] {
            assertFails("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(value)\r\n\r\n", .invalidContentLength, status: 400)
        }
    }

    func testTransferEncodingRules() {
        let prefix = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
        assertFails(prefix + "gzip\r\n\r\n", .unsupportedTransferCoding, status: 501)
        assertFails(prefix + "gzip, chunked\r\n\r\n", .unsupportedTransferCoding, status: 501)
        assertFails(prefix + "xchunked\r\n\r\n", .unsupportedTransferCoding, status: 501)
        assertFails(prefix + "chunked, gzip\r\n\r\n", .chunkedNotFinal, status: 400)
        assertFails(prefix + "chunked, chunked\r\n\r\n", .malformedTransferEncoding, status: 400)
        assertFails(prefix + ", chunked\r\n\r\n", .malformedTransferEncoding, status: 400)
        assertFails(prefix + "\"chunked\"\r\n\r\n", .malformedTransferEncoding, status: 400)
        assertFails(prefix + "chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .duplicateHeader("Transfer-Encoding"), status: 400)
        assertFails("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingOnHTTP10, status: 400)
        let vt = Array(prefix.utf8) + [0x0B] + Array("chunked\r\n\r\n".utf8)
        guard case .failed(let error) = parse(bytes: vt) else { return XCTFail("expected failure") }
        XCTAssertEqual(error.status.code, 400)
    }

    func testDeclaredBodyOverTheLimitIs413() {
        var limits = HTTPServerLimits()
        limits.maxBodyBytes = 1000
        assertFails("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", .bodyTooLarge(limit: 1000), status: 413, limits: limits)
        _ = head(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n", limits: limits))
    }
}
