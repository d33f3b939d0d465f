/// Incremental decoder for a `Transfer-Encoding: chunked` request body (RFC 9112 §7.1), with the
/// limits of `reference/http-server.md` §3: hex sizes of at most 16 digits, no whitespace or
/// prefixes, CRLF after every chunk's data, bounded chunk lines and extensions, an overhead
/// budget against floods of tiny chunks, and a trailer section that is validated and discarded.
/// The decoded total is checked against the body limit while decoding, never after.
struct ChunkedBodyDecoder {
    enum Outcome: Equatable {
        /// Consumed this many bytes; more input is needed.
        case needMore(consumed: Int)
        /// The body (and its trailer section) ended after this many bytes.
        case done(consumed: Int)
        case failed(HTTPParseError)
    }

    private enum State {
        case sizeLine
        case data(remaining: Int)
        case dataTerminator
        case trailer
        case done
    }

    /// picohttpparser's rule: once framing overhead passes 100 KiB it must not exceed 3/4 of all bytes.
    static let overheadAllowance = 100 * 1024

    let limits: HTTPServerLimits
    private var state = State.sizeLine
    private(set) var decodedBytes = 0
    private var overheadBytes = 0
    private var extensionBytes = 0
    private var trailerBytes = 0
    private var trailerCount = 0
    /// Bytes of the current (unterminated) line already scanned for LF.
    private var lineScanned = 0

    init(limits: HTTPServerLimits) {
        self.limits = limits
    }

    /// Decodes from the start of `input` (bytes not yet consumed), appending chunk data to `body`.
    mutating func decode(_ input: UnsafeBufferPointer<UInt8>, into body: inout [UInt8]) -> Outcome {
        var index = 0
        while true {
            switch state {
            case .done:
                return .done(consumed: index)

            case .data(let remaining):
                let available = input.count - index
                if available == 0 { return .needMore(consumed: index) }
                let take = min(available, remaining)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<(index + take)]))
                index += take
                state = remaining == take ? .dataTerminator : .data(remaining: remaining - take)

            case .dataTerminator:
                let available = input.count - index
                if available >= 1, input[index] != HTTPGrammar.cr { return .failed(.missingChunkDataTerminator) }
                if available >= 2, input[index + 1] != HTTPGrammar.lf { return .failed(.missingChunkDataTerminator) }
                if available < 2 { return .needMore(consumed: index) }
                index += 2
                overheadBytes += 2
                state = .sizeLine

            case .sizeLine, .trailer:
                let scanStart = index + lineScanned
                guard let lineFeed = HTTPRequestHeadParser.firstLineFeed(input, from: scanStart) else {
                    lineScanned = input.count - index
                    if let error = checkPartialLine(length: lineScanned) { return .failed(error) }
                    return .needMore(consumed: index)
                }
                lineScanned = 0
                guard lineFeed > index, input[lineFeed - 1] == HTTPGrammar.cr else { return .failed(.bareLineFeed) }
                let line = index..<(lineFeed - 1)
                index = lineFeed + 1
                if let error = processLine(input, line) { return .failed(error) }
            }
        }
    }

    private func checkPartialLine(length: Int) -> HTTPParseError? {
        if case .trailer = state {
            if length > limits.maxHeaderLineBytes + 1 || trailerBytes + length > limits.maxHeaderSectionBytes + 1 {
                return .trailerSectionTooLarge(limit: limits.maxHeaderSectionBytes)
            }
        } else if length > limits.maxChunkLineBytes + 1 {
            return .chunkLineTooLong(limit: limits.maxChunkLineBytes)
        }
        return nil
    }

    private mutating func processLine(_ input: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> HTTPParseError? {
        if case .trailer = state {
            if line.isEmpty {
                state = .done
                return nil
            }
            trailerBytes += line.count + 2
            trailerCount += 1
            if trailerBytes > limits.maxHeaderSectionBytes || trailerCount > limits.maxHeaderCount {
                return .trailerSectionTooLarge(limit: limits.maxHeaderSectionBytes)
            }
            if case .failure = HTTPFieldLine.parse(input, line) { return .invalidTrailer }
            return nil
        }
        return processSizeLine(input, line)
    }

    /// `1*HEXDIG *( ";" chunk-ext )`: no whitespace after the size, no `0x`, no sign.
    private mutating func processSizeLine(_ input: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> HTTPParseError? {
        if line.count > limits.maxChunkLineBytes { return .chunkLineTooLong(limit: limits.maxChunkLineBytes) }
        overheadBytes += line.count + 2
        var index = line.lowerBound
        var size: UInt64 = 0
        while index < line.upperBound, let digit = HTTPGrammar.hexValue(input[index]) {
            if index - line.lowerBound >= 16 { return .invalidChunkSize }
            size = size << 4 | UInt64(digit)
            index += 1
        }
        if index == line.lowerBound { return .invalidChunkSize }
        if index < line.upperBound {
            guard input[index] == HTTPGrammar.semicolon else { return .invalidChunkSize }
            if let error = validateExtensions(input, index..<line.upperBound) { return error }
            extensionBytes += line.upperBound - index
            if extensionBytes > limits.maxChunkExtensionBytes {
                return .chunkExtensionsTooLarge(limit: limits.maxChunkExtensionBytes)
            }
        }
        if size > UInt64(limits.maxBodyBytes - decodedBytes) { return .bodyTooLarge(limit: limits.maxBodyBytes) }
        let chunkSize = Int(size)
        decodedBytes += chunkSize
        if overheadBytes > Self.overheadAllowance && decodedBytes * 3 < overheadBytes {
            return .chunkOverheadTooLarge
        }
        state = chunkSize == 0 ? .trailer : .data(remaining: chunkSize)
        return nil
    }

    /// Each `;` must be followed (after optional whitespace) by a token name; the rest may hold
    /// `=`, tokens, quoted strings and whitespace but no control bytes (bare CR, NUL, …).
    private func validateExtensions(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> HTTPParseError? {
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = input[index]
            if !HTTPGrammar.isFieldValueByte(byte) { return .invalidChunkExtension }
            if byte == HTTPGrammar.semicolon {
                var next = index + 1
                while next < range.upperBound, HTTPGrammar.isOptionalWhitespace(input[next]) { next += 1 }
                guard next < range.upperBound, HTTPGrammar.isTokenByte(input[next]) else { return .invalidChunkExtension }
            }
            index += 1
        }
        return nil
    }
}
