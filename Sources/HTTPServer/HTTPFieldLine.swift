/// Splits one header (or trailer) line into name and value ranges, enforcing RFC 9112 §5:
/// no obs-fold, no whitespace before the colon, token names, values without control bytes.
///
/// Shared by the head parser and the chunked decoder so header and trailer lines are judged
/// byte-for-byte the same way.
enum HTTPFieldLine {
    struct Parts {
        let name: Range<Int>
        let value: Range<Int>
    }

    /// `line` excludes the terminating CRLF.
    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Result<Parts, HTTPParseError> {
        guard !line.isEmpty else { return .failure(.invalidHeaderName) }
        let first = buffer[line.lowerBound]
        if HTTPGrammar.isOptionalWhitespace(first) { return .failure(.obsoleteLineFolding) }
        var colon = line.lowerBound
        while colon < line.upperBound, buffer[colon] != HTTPGrammar.colon { colon += 1 }
        guard colon < line.upperBound else {
            return .failure(containsCR(buffer, line) ? .bareCarriageReturn : .missingColon)
        }
        guard colon > line.lowerBound else { return .failure(.invalidHeaderName) }
        if HTTPGrammar.isOptionalWhitespace(buffer[colon - 1]) { return .failure(.whitespaceBeforeColon) }
        for index in line.lowerBound..<colon where !HTTPGrammar.isTokenByte(buffer[index]) {
            return .failure(buffer[index] == HTTPGrammar.cr ? .bareCarriageReturn : .invalidHeaderName)
        }
        let value = HTTPGrammar.trimmingOptionalWhitespace(buffer, (colon + 1)..<line.upperBound)
        for index in value where !HTTPGrammar.isFieldValueByte(buffer[index]) {
            return .failure(buffer[index] == HTTPGrammar.cr ? .bareCarriageReturn : .invalidHeaderValue)
        }
        return .success(Parts(name: line.lowerBound..<colon, value: value))
    }

    private static func containsCR(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        range.contains { buffer[$0] == HTTPGrammar.cr }
    }
}
