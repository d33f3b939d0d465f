/// RFC 8259 JSON, strictly: what the API documents. Foundation's decoder is lenient on Linux
/// (it took `{"prompt":"x",}`), so a body is checked here first and refused with the position of
/// the first byte that is not JSON: trailing commas, comments, `NaN`/`Infinity`, single quotes,
/// unquoted keys, leading zeros, control characters in strings, anything after the value.
/// Nesting is bounded so a hostile `[[[[…` cannot exhaust the stack.
public enum StrictJSONSyntax {
    public static let maximumDepth = 128

    /// Where and why a body is not JSON. `line` and `column` count from 1; `offset` from 0.
    public struct Violation: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var offset: Int
        public var line: Int
        public var column: Int
        public var description: String { "\(reason) at line \(line), column \(column) (byte \(offset))" }
    }

    public static func check(_ bytes: [UInt8]) throws(Violation) {
        var p = Parser(bytes: bytes)
        p.skipSpace()
        try p.value(depth: 0)
        p.skipSpace()
        if p.i < bytes.count { throw p.fail("unexpected content after the JSON value") }
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        func fail(_ reason: String) -> Violation {
            var line = 1, column = 1
            for b in bytes[0..<min(i, bytes.count)] {
                if b == 0x0A { line += 1; column = 1 } else { column += 1 }
            }
            let what = i < bytes.count ? reason : reason + " (end of body)"
            return Violation(reason: what, offset: i, line: line, column: column)
        }

        var current: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while let b = current, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
        }

        mutating func value(depth: Int) throws(Violation) {
            guard let b = current else { throw fail("expected a JSON value") }
            switch b {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "/"): throw fail("comments are not JSON")
            case UInt8(ascii: "'"): throw fail("strings take double quotes in JSON")
            case UInt8(ascii: "N"), UInt8(ascii: "I"): throw fail("NaN and Infinity are not JSON numbers")
            default: throw fail("expected a JSON value")
            }
        }

        mutating func literal(_ word: String) throws(Violation) {
            for c in word.utf8 {
                guard current == c else { throw fail("expected \(word)") }
                i += 1
            }
        }

        mutating func object(depth: Int) throws(Violation) {
            guard depth <= StrictJSONSyntax.maximumDepth else { throw fail("nested deeper than \(StrictJSONSyntax.maximumDepth) levels") }
            i += 1
            skipSpace()
            if current == UInt8(ascii: "}") { i += 1; return }
            while true {
                guard current == UInt8(ascii: "\"") else {
                    throw fail(current == UInt8(ascii: "}") ? "trailing comma before }" : current == UInt8(ascii: "/")
                               ? "comments are not JSON" : "expected a member name in double quotes")
                }
                try string()
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw fail("expected : after the member name") }
                i += 1
                skipSpace()
                try value(depth: depth)
                skipSpace()
                switch current {
                case UInt8(ascii: ","): i += 1; skipSpace()
                case UInt8(ascii: "}"): i += 1; return
                case UInt8(ascii: "/"): throw fail("comments are not JSON")
                default: throw fail("expected , or }")
                }
            }
        }

        mutating func array(depth: Int) throws(Violation) {
            guard depth <= StrictJSONSyntax.maximumDepth else { throw fail("nested deeper than \(StrictJSONSyntax.maximumDepth) levels") }
            i += 1
            skipSpace()
            if current == UInt8(ascii: "]") { i += 1; return }
            while true {
                if current == UInt8(ascii: "]") { throw fail("trailing comma before ]") }
                try value(depth: depth)
                skipSpace()
                switch current {
                case UInt8(ascii: ","): i += 1; skipSpace()
                case UInt8(ascii: "]"): i += 1; return
                case UInt8(ascii: "/"): throw fail("comments are not JSON")
                default: throw fail("expected , or ]")
                }
            }
        }

        mutating func string() throws(Violation) {
            i += 1
            while let b = current {
                switch b {
                case UInt8(ascii: "\""): i += 1; return
                case UInt8(ascii: "\\"):
                    i += 1
                    guard let e = current else { throw fail("unterminated string") }
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 1
                    case UInt8(ascii: "u"):
                        i += 1
                        for _ in 0..<4 {
                            guard let h = current, isHex(h) else { throw fail("\\u takes four hex digits") }
                            i += 1
                        }
                    default: throw fail("invalid escape in string")
                    }
                case 0x00..<0x20: throw fail("control character in string")
                default: i += 1
                }
            }
            throw fail("unterminated string")
        }

        func isHex(_ b: UInt8) -> Bool {
            (0x30...0x39).contains(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b)
        }

        func isDigit(_ b: UInt8?) -> Bool { b.map { (0x30...0x39).contains($0) } ?? false }

        mutating func number() throws(Violation) {
            if current == UInt8(ascii: "-") {
                i += 1
                if current == UInt8(ascii: "I") { throw fail("NaN and Infinity are not JSON numbers") }
            }
            if current == UInt8(ascii: "0") {
                i += 1
                if isDigit(current) { throw fail("leading zeros are not JSON") }
            } else {
                guard isDigit(current) else { throw fail("expected a digit") }
                while isDigit(current) { i += 1 }
            }
            if current == UInt8(ascii: ".") {
                i += 1
                guard isDigit(current) else { throw fail("expected a digit after the decimal point") }
                while isDigit(current) { i += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                i += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { i += 1 }
                guard isDigit(current) else { throw fail("expected a digit in the exponent") }
                while isDigit(current) { i += 1 }
            }
        }
    }
}
