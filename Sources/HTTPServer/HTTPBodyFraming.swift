/// How the body of a request is delimited on the wire (RFC 9112 §6.3).
enum HTTPBodyFraming: Sendable, Hashable {
    /// Neither Content-Length nor Transfer-Encoding: the body is empty. Requests are never
    /// delimited by connection close.
    case none
    case contentLength(Int)
    case chunked
}

/// Collects the framing-relevant header fields of one request and decides, strictly, how its
/// body is delimited, whether the connection persists, and whether the client expects
/// `100 Continue`. The rules are the anti-smuggling core of `reference/http-server.md` §1.4–§2:
/// the decision must be made from bytes, once, and anything ambiguous is refused.
struct HTTPRequestFraming {
    private var hostCount = 0
    private var hostIsValid = true
    private var contentLength: Int?
    private var contentLengthCount = 0
    private var contentLengthIsValid = true
    private var transferEncodingCount = 0
    private var transferEncoding: Result<Bool, HTTPParseError>? // success(true): chunked
    private var expectCount = 0
    private var expectsContinue = false
    private var expectationIsKnown = true
    private var connectionClose = false
    private var connectionKeepAlive = false

    /// Looks at one header field; fields that do not affect framing are ignored.
    mutating func observe(_ buffer: UnsafeBufferPointer<UInt8>, name: Range<Int>, value: Range<Int>) {
        let nameBytes = UnsafeBufferPointer(rebasing: buffer[name])
        switch nameBytes.count {
        case 4 where HTTPGrammar.equalsIgnoringCase(nameBytes, "host"):
            hostCount += 1
            hostIsValid = hostIsValid && Self.isValidHost(UnsafeBufferPointer(rebasing: buffer[value]))
        case 14 where HTTPGrammar.equalsIgnoringCase(nameBytes, "content-length"):
            contentLengthCount += 1
            let parsed = Self.parseContentLength(UnsafeBufferPointer(rebasing: buffer[value]))
            if let parsed { contentLength = parsed } else { contentLengthIsValid = false }
        case 17 where HTTPGrammar.equalsIgnoringCase(nameBytes, "transfer-encoding"):
            transferEncodingCount += 1
            transferEncoding = Self.parseTransferEncoding(buffer, value)
        case 6 where HTTPGrammar.equalsIgnoringCase(nameBytes, "expect"):
            expectCount += 1
            if HTTPGrammar.equalsIgnoringCase(UnsafeBufferPointer(rebasing: buffer[value]), "100-continue") {
                expectsContinue = true
            } else {
                expectationIsKnown = false
            }
        case 10 where HTTPGrammar.equalsIgnoringCase(nameBytes, "connection"):
            Self.forEachListElement(buffer, value) { element in
                let bytes = UnsafeBufferPointer(rebasing: buffer[element])
                if HTTPGrammar.equalsIgnoringCase(bytes, "close") { connectionClose = true }
                if HTTPGrammar.equalsIgnoringCase(bytes, "keep-alive") { connectionKeepAlive = true }
            }
        default:
            break
        }
    }

    struct Decision: Hashable {
        var framing: HTTPBodyFraming
        var keepAlive: Bool
        var expectsContinue: Bool
    }

    func decide(version: HTTPVersion, limits: HTTPServerLimits) -> Result<Decision, HTTPParseError> {
        let http11 = version.isAtLeastHTTP11
        if hostCount > 1 { return .failure(.duplicateHost) }
        if hostCount == 0 && http11 { return .failure(.missingHost) }
        if !hostIsValid { return .failure(.invalidHost) }

        if transferEncodingCount > 0 && contentLengthCount > 0 { return .failure(.contentLengthWithTransferEncoding) }
        if contentLengthCount > 1 { return .failure(.duplicateContentLength) }
        if !contentLengthIsValid { return .failure(.invalidContentLength) }

        var framing = HTTPBodyFraming.none
        if transferEncodingCount > 0 {
            if !http11 { return .failure(.transferEncodingOnHTTP10) }
            if transferEncodingCount > 1 { return .failure(.duplicateHeader("Transfer-Encoding")) }
            switch transferEncoding {
            case .success(true): framing = .chunked
            case .failure(let error): return .failure(error)
            case .success(false), .none: return .failure(.unsupportedTransferCoding)
            }
        } else if let contentLength {
            if contentLength > limits.maxBodyBytes { return .failure(.bodyTooLarge(limit: limits.maxBodyBytes)) }
            if contentLength > 0 { framing = .contentLength(contentLength) }
        }

        // An Expect in an HTTP/1.0 request is ignored (RFC 9110 §10.1.1).
        var continueExpected = false
        if http11 && expectCount > 0 {
            if expectCount > 1 { return .failure(.duplicateHeader("Expect")) }
            if !expectationIsKnown { return .failure(.unsupportedExpectation) }
            continueExpected = expectsContinue && framing != .none
        }

        let keepAlive = connectionClose ? false : (http11 || connectionKeepAlive)
        return .success(Decision(framing: framing, keepAlive: keepAlive, expectsContinue: continueExpected))
    }

    /// `1*DIGIT` with an overflow check; no sign, no list, no spaces, no empty value.
    static func parseContentLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard HTTPGrammar.isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// success(true) when the list is exactly one `chunked` (any case); success(false) for a
    /// well-formed list of other codings (→ 501); failure for a malformed list or chunked not last.
    static func parseTransferEncoding(_ buffer: UnsafeBufferPointer<UInt8>, _ value: Range<Int>) -> Result<Bool, HTTPParseError> {
        var elements: [Range<Int>] = []
        var malformed = false
        forEachListElement(buffer, value, keepEmpty: true) { element in
            if element.isEmpty { malformed = true; return }
            for index in element where !HTTPGrammar.isTokenByte(buffer[index]) { malformed = true; return }
            elements.append(element)
        }
        if malformed || elements.isEmpty { return .failure(.malformedTransferEncoding) }
        let chunkedPositions = elements.indices.filter {
            HTTPGrammar.equalsIgnoringCase(UnsafeBufferPointer(rebasing: buffer[elements[$0]]), "chunked")
        }
        if chunkedPositions.count > 1 { return .failure(.malformedTransferEncoding) }
        if let position = chunkedPositions.first, position != elements.count - 1 { return .failure(.chunkedNotFinal) }
        if chunkedPositions.isEmpty && elements.count > 1 {
            // A request whose final coding is not chunked cannot be delimited (RFC 9112 §6.3 item 4).
            return .failure(.chunkedNotFinal)
        }
        return .success(elements.count == 1 && chunkedPositions.count == 1)
    }

    /// Calls `body` with each comma-separated element of `value`, trimmed of OWS.
    static func forEachListElement(
        _ buffer: UnsafeBufferPointer<UInt8>, _ value: Range<Int>, keepEmpty: Bool = false,
        _ body: (Range<Int>) -> Void
    ) {
        var start = value.lowerBound
        var index = value.lowerBound
        while index <= value.upperBound {
            if index == value.upperBound || buffer[index] == HTTPGrammar.comma {
                let element = HTTPGrammar.trimmingOptionalWhitespace(buffer, start..<index)
                if keepEmpty || !element.isEmpty { body(element) }
                start = index + 1
            }
            index += 1
        }
    }

    /// `uri-host [ ":" port ]`: reg-name / IPv4 / IP-literal characters only. An empty Host is
    /// allowed (RFC 9110 §7.2: a target without authority is sent with an empty Host).
    static func isValidHost(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: continue
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
                 UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                 UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                 UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "%"),
                 UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
