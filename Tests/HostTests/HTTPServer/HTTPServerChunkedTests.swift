import XCTest
@testable import Host
@testable import HTTPServer

/// Chunked request bodies: syntax, limits and the overhead defences of `reference/http-server.md` §3.
final class HTTPServerChunkedTests: XCTestCase {
    private struct Decoded {
        var outcome: ChunkedBodyDecoder.Outcome
        var body: [UInt8]
    }

    private func decode(_ text: String, limits: HTTPServerLimits = .default) -> Decoded {
        decode(bytes: Array(text.utf8), limits: limits)
    }

    private func decode(bytes: [UInt8], limits: HTTPServerLimits = .default) -> Decoded {
        var decoder = ChunkedBodyDecoder(limits: limits)
        var body: [UInt8] = []
        let outcome = bytes.withUnsafeBufferPointer { decoder.decode($0, into: &body) }
        return Decoded(outcome: outcome, body: body)
    }

    private func assertFails(_ text: String, _ expected: HTTPParseError, limits: HTTPServerLimits = .default,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(decode(text, limits: limits).outcome, .failed(expected), file: file, line: line)
    }

    func testDecodesChunksAndStopsAtTheEnd() {
        let body = "5\r\nhello\r\n7;name=value\r\n, world\r\n0\r\n\r\n"
        let decoded = decode(body + "GET /next HTTP/1.1\r\n")
        XCTAssertEqual(decoded.outcome, .done(consumed: body.utf8.count))
        XCTAssertEqual(String(decoding: decoded.body, as: UTF8.self), "hello, world")
    }

    func testTrailersAreValidatedAndDiscarded() {
        let text = "3\r\nabc\r\n0\r\nX-Checksum: 123\r\n\r\n"
        let decoded = decode(text)
        XCTAssertEqual(decoded.outcome, .done(consumed: text.utf8.count))
        XCTAssertEqual(decoded.body, Array("abc".utf8))
        assertFails("0\r\nnot a field\r\n\r\n", .invalidTrailer)
        assertFails("0\r\nX-A : b\r\n\r\n", .invalidTrailer)
    }

    func testIncompleteInputAsksForMore() {
        let decoded = decode("5\r\nhel")
        XCTAssertEqual(decoded.outcome, .needMore(consumed: 6))
        XCTAssertEqual(decoded.body, Array("hel".utf8))
    }

    func testByteByByteInputDecodesTheSame() {
        let bytes = Array("4\r\nWiki\r\n5;a\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: v\r\n\r\n".utf8)
        var decoder = ChunkedBodyDecoder(limits: .default)
        var body: [UInt8] = []
        var start = 0
        var finished = false
        for end in 1...bytes.count {
            let outcome = bytes[start..<end].withUnsafeBufferPointer { decoder.decode($0, into: &body) }
            switch outcome {
            case .needMore(let consumed): start += consumed
            case .done(let consumed): start += consumed; finished = true
            case .failed(let error): return XCTFail("unexpected \(error)")
            }
        }
        XCTAssertTrue(finished)
        XCTAssertEqual(start, bytes.count)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), "Wikipedia in\r\n\r\nchunks.")
    }

    func testMalformedChunkSizes() {
        assertFails("0x5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        assertFails("-5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        assertFails("+5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        assertFails(" 5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        assertFails("5 \r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        assertFails("\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        assertFails("z\r\n", .invalidChunkSize)
        assertFails("1x\r\n", .invalidChunkSize)
        assertFails(String(repeating: "f", count: 17) + "\r\n", .invalidChunkSize)
    }

    func testHugeChunkSizeIs413NotAnOverflow() {
        assertFails(String(repeating: "f", count: 16) + "\r\n", .bodyTooLarge(limit: HTTPServerLimits.default.maxBodyBytes))
    }

    func testChunkSpillIs400() {
        assertFails("5\r\nhelloXX\r\n0\r\n\r\n", .missingChunkDataTerminator)
        XCTAssertEqual(decode("5\r\nhello\r").outcome, .needMore(consumed: 8))
        assertFails("5\r\nhello\rX", .missingChunkDataTerminator)
    }

    func testBareLineFeedOrCarriageReturnInChunkLinesIs400() {
        assertFails("5\nhello\r\n0\r\n\r\n", .bareLineFeed)
        assertFails("5;a\rb\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension)
    }

    func testMalformedExtensions() {
        assertFails("5;\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension)
        assertFails("5; \r\nhello\r\n0\r\n\r\n", .invalidChunkExtension)
        assertFails("5;=x\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension)
        let nul = Array("5;a".utf8) + [0] + Array("\r\nhello\r\n0\r\n\r\n".utf8)
        XCTAssertEqual(decode(bytes: nul).outcome, .failed(.invalidChunkExtension))
        let valid = "5;a=\"q\" ; b\r\nhello\r\n0\r\n\r\n"
        XCTAssertEqual(decode(valid).outcome, .done(consumed: valid.utf8.count))
    }

    func testDecodedBodyOverTheLimitIs413() {
        var limits = HTTPServerLimits()
        limits.maxBodyBytes = 8
        assertFails("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", .bodyTooLarge(limit: 8), limits: limits)
        let atLimit = "5\r\nhello\r\n3\r\nwor\r\n0\r\n\r\n"
        XCTAssertEqual(decode(atLimit, limits: limits).outcome, .done(consumed: atLimit.utf8.count))
    }

    func testExtensionBudgetIs413() {
        var limits = HTTPServerLimits()
        limits.maxChunkExtensionBytes = 64
        let ext = ";" + String(repeating: "e", count: 40)
        assertFails("1\(ext)\r\na\r\n1\(ext)\r\nb\r\n0\r\n\r\n", .chunkExtensionsTooLarge(limit: 64), limits: limits)
    }

    func testEndlessChunkLineIs413BeforeItEnds() {
        var limits = HTTPServerLimits()
        limits.maxChunkLineBytes = 128
        assertFails("1;" + String(repeating: "e", count: 200), .chunkLineTooLong(limit: 128), limits: limits)
    }

    func testFloodOfTinyChunksIsRefused() {
        let flood = String(repeating: "1\r\na\r\n", count: 30_000) + "0\r\n\r\n"
        assertFails(flood, .chunkOverheadTooLarge)
    }

    func testOversizedTrailerSectionIs431() {
        var limits = HTTPServerLimits()
        limits.maxHeaderSectionBytes = 64
        let trailers = (1...10).map { "X-T\($0): value\r\n" }.joined()
        let outcome = decode("0\r\n" + trailers + "\r\n", limits: limits).outcome
        XCTAssertEqual(outcome, .failed(.trailerSectionTooLarge(limit: 64)))
        if case .failed(let error) = outcome { XCTAssertEqual(error.status.code, 431) }
    }
}
