/// Incremental, byte-level parser for the request line and header section of one request.
///
/// Call `parse(_:)` with all bytes received so far for the current request (starting at its first
/// byte); it only scans bytes it has not seen before, so a client trickling one byte at a time costs
/// linear work (the picohttpparser "slowloris" concern). Limits are enforced on partial input too,
/// so an unterminated line never grows beyond its budget. Lines must end in CRLF; a bare LF or a
/// bare CR is refused. Call `reset()` before the next request.
struct HTTPRequestHeadParser {
    enum Outcome {
        case incomplete
        case complete(HTTPRequestHead, consumed: Int)
        case failed(HTTPParseError)
    }

    /// A method longer than any implemented one is answered 501 without waiting for the line.
    static let maxMethodLength = 32
    static let maxLeadingEmptyLines = 8

    let limits: HTTPServerLimits
    private var position = 0
    private var lineStart = 0
    private var leadingEmptyLines = 0
    private var requestLine: Range<Int>?
    private var headerLines: [Range<Int>] = []
    private var headerSectionBytes = 0

    init(limits: HTTPServerLimits) {
        self.limits = limits
        headerLines.reserveCapacity(16)
    }

    /// True once any byte of the current request has been scanned.
    var hasStarted: Bool { position > 0 }

    mutating func reset() {
        position = 0
        lineStart = 0
        leadingEmptyLines = 0
        requestLine = nil
        headerLines.removeAll(keepingCapacity: true)
        headerSectionBytes = 0
    }

    mutating func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> Outcome {
        while position < buffer.count {
            guard let lineFeed = Self.firstLineFeed(buffer, from: position) else {
                position = buffer.count
                if let error = checkPartialLine(buffer) { return .failed(error) }
                return .incomplete
            }
            guard lineFeed > lineStart, buffer[lineFeed - 1] == HTTPGrammar.cr else {
                return .failed(.bareLineFeed)
            }
            let line = lineStart..<(lineFeed - 1)
            position = lineFeed + 1
            lineStart = position

            if requestLine == nil {
                if line.isEmpty {
                    // RFC 9112 §2.2: ignore at least one empty line before the request line.
                    leadingEmptyLines += 1
                    if leadingEmptyLines > Self.maxLeadingEmptyLines { return .failed(.tooManyLeadingEmptyLines) }
                    continue
                }
                if line.count > limits.maxRequestLineBytes {
                    return .failed(.requestLineTooLong(limit: limits.maxRequestLineBytes))
                }
                requestLine = line
            } else if line.isEmpty {
                return finish(buffer, consumed: position)
            } else {
                if line.count > limits.maxHeaderLineBytes {
                    return .failed(.headerLineTooLong(limit: limits.maxHeaderLineBytes))
                }
                headerSectionBytes += line.count + 2
                if headerSectionBytes > limits.maxHeaderSectionBytes {
                    return .failed(.headerSectionTooLarge(limit: limits.maxHeaderSectionBytes))
                }
                if headerLines.count >= limits.maxHeaderCount {
                    return .failed(.tooManyHeaders(limit: limits.maxHeaderCount))
                }
                headerLines.append(line)
            }
        }
        return .incomplete
    }

    /// Limits that can be judged before the current line ends.
    private func checkPartialLine(_ buffer: UnsafeBufferPointer<UInt8>) -> HTTPParseError? {
        let partialLength = buffer.count - lineStart
        if requestLine == nil {
            // Fail fast on bytes that can never start a request (TLS hello, binary junk).
            var index = lineStart
            while index < buffer.count, buffer[index] != HTTPGrammar.space {
                let byte = buffer[index]
                if byte != HTTPGrammar.cr && !HTTPGrammar.isTokenByte(byte) {
                    return .invalidMethod
                }
                if index - lineStart >= Self.maxMethodLength { return .methodTooLong(limit: Self.maxMethodLength) }
                index += 1
            }
            if partialLength > limits.maxRequestLineBytes + 1 {
                return .requestLineTooLong(limit: limits.maxRequestLineBytes)
            }
        } else {
            if partialLength > limits.maxHeaderLineBytes + 1 {
                return .headerLineTooLong(limit: limits.maxHeaderLineBytes)
            }
            if headerSectionBytes + partialLength > limits.maxHeaderSectionBytes + 1 {
                return .headerSectionTooLarge(limit: limits.maxHeaderSectionBytes)
            }
            // A line that is not the final empty line would be one field too many.
            if headerLines.count >= limits.maxHeaderCount, partialLength > 0, buffer[lineStart] != HTTPGrammar.cr {
                return .tooManyHeaders(limit: limits.maxHeaderCount)
            }
        }
        return nil
    }

    private func finish(_ buffer: UnsafeBufferPointer<UInt8>, consumed: Int) -> Outcome {
        guard let requestLine else { return .failed(.malformedRequestLine) }
        let parsedLine: RequestLine
        switch Self.parseRequestLine(buffer, requestLine) {
        case .success(let value): parsedLine = value
        case .failure(let error): return .failed(error)
        }

        var headers = [HTTPHeaders.Field]()
        headers.reserveCapacity(headerLines.count)
        var framing = HTTPRequestFraming()
        for line in headerLines {
            switch HTTPFieldLine.parse(buffer, line) {
            case .failure(let error):
                return .failed(error)
            case .success(let parts):
                framing.observe(buffer, name: parts.name, value: parts.value)
                headers.append(HTTPHeaders.Field(
                    name: Self.string(buffer, parts.name),
                    value: Self.string(buffer, parts.value)))
            }
        }

        switch framing.decide(version: parsedLine.version, limits: limits) {
        case .failure(let error):
            return .failed(error)
        case .success(let decision):
            let head = HTTPRequestHead(
                method: parsedLine.method, target: parsedLine.target, version: parsedLine.version,
                headers: HTTPHeaders(headers), framing: decision.framing,
                expectsContinue: decision.expectsContinue, keepAlive: decision.keepAlive)
            return .complete(head, consumed: consumed)
        }
    }

    struct RequestLine {
        var method: HTTPMethod
        var target: String
        var version: HTTPVersion
    }

    /// `method SP request-target SP HTTP-version`, exactly one SP between parts (RFC 9112 §3).
    static func parseRequestLine(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Result<RequestLine, HTTPParseError> {
        for index in line where buffer[index] == HTTPGrammar.cr { return .failure(.bareCarriageReturn) }
        guard let firstSpace = line.first(where: { buffer[$0] == HTTPGrammar.space }), firstSpace > line.lowerBound else {
            return .failure(.malformedRequestLine)
        }
        for index in line.lowerBound..<firstSpace where !HTTPGrammar.isTokenByte(buffer[index]) {
            return .failure(.invalidMethod)
        }
        if firstSpace - line.lowerBound > maxMethodLength { return .failure(.methodTooLong(limit: maxMethodLength)) }

        let rest = (firstSpace + 1)..<line.upperBound
        guard let secondSpace = rest.first(where: { buffer[$0] == HTTPGrammar.space }), secondSpace > rest.lowerBound else {
            return .failure(.malformedRequestLine)
        }
        let target = rest.lowerBound..<secondSpace
        for index in target where !HTTPGrammar.isTargetByte(buffer[index]) {
            return .failure(.invalidRequestTarget)
        }
        let versionRange = (secondSpace + 1)..<line.upperBound
        guard let version = parseVersion(buffer, versionRange) else {
            // A second space or stray whitespace lands here too: "GET /a b HTTP/1.1".
            return .failure(.invalidVersion)
        }
        guard version.major == 1 else { return .failure(.unsupportedVersion(major: version.major)) }

        let method = HTTPMethod(string(buffer, line.lowerBound..<firstSpace))
        let first = buffer[target.lowerBound]
        let isOriginForm = first == UInt8(ascii: "/")
        let isAsteriskForm = target.count == 1 && first == UInt8(ascii: "*") && method == .options
        guard isOriginForm || isAsteriskForm else { return .failure(.unsupportedTargetForm) }

        // Minor versions above 1 within major 1 are served as 1.1 (RFC 9110 §2.5).
        let served = version.minor >= 1 ? HTTPVersion.http1_1 : HTTPVersion.http1_0
        return .success(RequestLine(method: method, target: string(buffer, target), version: served))
    }

    /// `HTTP/` DIGIT `.` DIGIT, case-sensitive.
    static func parseVersion(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> HTTPVersion? {
        guard range.count == 8 else { return nil }
        let b = range.lowerBound
        guard buffer[b] == UInt8(ascii: "H"), buffer[b + 1] == UInt8(ascii: "T"), buffer[b + 2] == UInt8(ascii: "T"),
              buffer[b + 3] == UInt8(ascii: "P"), buffer[b + 4] == UInt8(ascii: "/"),
              HTTPGrammar.isDigit(buffer[b + 5]), buffer[b + 6] == UInt8(ascii: "."), HTTPGrammar.isDigit(buffer[b + 7])
        else { return nil }
        return HTTPVersion(major: Int(buffer[b + 5] - 0x30), minor: Int(buffer[b + 7] - 0x30))
    }

    static func firstLineFeed(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < buffer.count {
            if buffer[index] == HTTPGrammar.lf { return index }
            index += 1
        }
        return nil
    }

    /// Text is decoded only after framing is settled; invalid UTF-8 (obs-text) is repaired, not trusted.
    static func string(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }
}
