/// Byte classes of the HTTP/1.1 grammar (RFC 9110 §5.6, RFC 9112 §2–§5).
///
/// The parser works on octets, never on decoded text, because a decoder that treats an invalid
/// multi-byte sequence containing LF differently from a proxy is a known smuggling vector.
enum HTTPGrammar {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C

    /// `tchar`: ``!#$%&'*+-.^_`|~`` plus DIGIT and ALPHA; methods, field names and codings are tokens.
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    /// Octets allowed inside a field value: HTAB, SP, VCHAR and obs-text (opaque octets ≥ 0x80).
    /// CR, LF, NUL and every other control byte are refused (RFC 9110 §5.5).
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == htab || (byte >= 0x20 && byte != 0x7F)
    }

    /// Octets allowed in a request-target: visible ASCII only, no whitespace, no controls, no raw UTF-8.
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte >= 0x21 && byte <= 0x7E
    }

    @inline(__always)
    static func isOptionalWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == htab
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    /// The value of one hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// ASCII case-insensitive comparison of raw bytes with a lowercase ASCII literal.
    static func equalsIgnoringCase<C: Collection>(_ bytes: C, _ lowercaseLiteral: StaticString) -> Bool
    where C.Element == UInt8 {
        guard bytes.count == lowercaseLiteral.utf8CodeUnitCount else { return false }
        var index = 0
        for byte in bytes {
            if lowercased(byte) != lowercaseLiteral.utf8Start[index] { return false }
            index += 1
        }
        return true
    }

    /// The range of `range` with leading and trailing SP/HTAB removed.
    static func trimmingOptionalWhitespace(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isOptionalWhitespace(buffer[lower]) { lower += 1 }
        while upper > lower, isOptionalWhitespace(buffer[upper - 1]) { upper -= 1 }
        return lower..<upper
    }
}
