/// Reads JSON5 text into a `JSON5Outline`, stopping at the first syntax error with its exact offset.
///
/// This is a syntax checker and locator, not a decoder: values are decoded by Foundation's
/// `JSONDecoder(allowsJSON5: true)`. It follows the JSON5 1.0 grammar (comments, trailing commas,
/// single-quoted strings, unquoted identifier keys, hex / signed / leading-dot numbers, Infinity, NaN),
/// so text it accepts is text Foundation accepts; the loader still treats a Foundation rejection as an error.
package struct JSON5OutlineParser {
    /// Nesting deeper than this is refused rather than risking the stack on hostile input.
    package static let maximumDepth = 256

    private let scalars: [Unicode.Scalar]
    private let lines: SourceLineIndex
    private var offset = 0
    private var duplicates: [JSON5DuplicateKey] = []

    package init(scalars: [Unicode.Scalar], lines: SourceLineIndex) {
        self.scalars = scalars
        self.lines = lines
    }

    package static func parse(_ text: String) throws(JSON5SyntaxError) -> JSON5Outline {
        let scalars = Array(text.unicodeScalars)
        var parser = JSON5OutlineParser(scalars: scalars, lines: SourceLineIndex(scalars))
        return try parser.parseDocument()
    }

    package mutating func parseDocument() throws(JSON5SyntaxError) -> JSON5Outline {
        try skipTrivia()
        if offset < scalars.count, scalars[offset] == "\u{FEFF}" { offset += 1; try skipTrivia() }
        guard offset < scalars.count else {
            throw JSON5SyntaxError(offset: offset, message: "the file is empty: expected a JSON5 object { ... }")
        }
        let root = try parseValue(depth: 0)
        try skipTrivia()
        if offset < scalars.count {
            throw JSON5SyntaxError(offset: offset, message: "unexpected \(describe(scalars[offset])) after the end of the top-level value (only one value is allowed per file)")
        }
        return JSON5Outline(root: root, duplicateKeys: duplicates)
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(JSON5SyntaxError) -> JSON5Node {
        guard depth < Self.maximumDepth else {
            throw JSON5SyntaxError(offset: offset, message: "values are nested more than \(Self.maximumDepth) levels deep")
        }
        guard let scalar = peek() else {
            throw JSON5SyntaxError(offset: offset, message: "unexpected end of file: expected a value")
        }
        switch scalar {
        case "{": return try parseObject(depth: depth)
        case "[": return try parseArray(depth: depth)
        case "\"", "'":
            let start = offset
            let value = try parseString()
            return JSON5Node(kind: .string(value), start: start, end: offset)
        case "t": return try parseLiteral("true", kind: .bool(true))
        case "f": return try parseLiteral("false", kind: .bool(false))
        case "n": return try parseLiteral("null", kind: .null)
        case "-", "+", ".", "0"..."9", "I", "N": return try parseNumber()
        default:
            throw JSON5SyntaxError(offset: offset, message: "expected a value (object, array, string, number, true, false or null), found \(describe(scalar))")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSON5SyntaxError) -> JSON5Node {
        let start = offset
        offset += 1
        var members: [JSON5Member] = []
        var firstOffsets: [String: Int] = [:]
        while true {
            try skipTrivia()
            guard let scalar = peek() else {
                throw JSON5SyntaxError(offset: offset, message: "unexpected end of file: the object opened at \(lines.position(of: start)) is not closed with '}'")
            }
            if scalar == "}" {
                offset += 1
                return JSON5Node(kind: .object(members), start: start, end: offset)
            }
            let keyStart = offset
            let key = try parseKey()
            try skipTrivia()
            guard peek() == ":" else {
                let found = peek().map(describe) ?? "the end of the file"
                throw JSON5SyntaxError(offset: offset, message: "expected ':' after the key '\(key)', found \(found)")
            }
            offset += 1
            try skipTrivia()
            guard peek() != nil else {
                throw JSON5SyntaxError(offset: offset, message: "unexpected end of file: expected a value for the key '\(key)'")
            }
            let value = try parseValue(depth: depth + 1)
            try skipTrivia()
            var commaEnd: Int?
            if peek() == nil {
                throw JSON5SyntaxError(offset: offset, message: "unexpected end of file: the object opened at \(lines.position(of: start)) is not closed with '}'")
            } else if peek() == "," {
                offset += 1
                commaEnd = offset
            } else if peek() != "}" {
                let found = peek().map(describe) ?? "the end of the file"
                throw JSON5SyntaxError(offset: offset, message: "expected ',' or '}' after the value of '\(key)', found \(found) (is a comma missing?)")
            }
            if let first = firstOffsets[key] {
                duplicates.append(JSON5DuplicateKey(key: key, offset: keyStart, firstOffset: first))
            } else {
                firstOffsets[key] = keyStart
            }
            members.append(JSON5Member(key: key, keyStart: keyStart, value: value, commaEnd: commaEnd))
        }
    }

    private mutating func parseArray(depth: Int) throws(JSON5SyntaxError) -> JSON5Node {
        let start = offset
        offset += 1
        var elements: [JSON5Node] = []
        while true {
            try skipTrivia()
            guard let scalar = peek() else {
                throw JSON5SyntaxError(offset: offset, message: "unexpected end of file: the array opened at \(lines.position(of: start)) is not closed with ']'")
            }
            if scalar == "]" {
                offset += 1
                return JSON5Node(kind: .array(elements), start: start, end: offset)
            }
            elements.append(try parseValue(depth: depth + 1))
            try skipTrivia()
            if peek() == nil {
                throw JSON5SyntaxError(offset: offset, message: "unexpected end of file: the array opened at \(lines.position(of: start)) is not closed with ']'")
            } else if peek() == "," {
                offset += 1
            } else if peek() != "]" {
                let found = peek().map(describe) ?? "the end of the file"
                throw JSON5SyntaxError(offset: offset, message: "expected ',' or ']' after an array element, found \(found) (is a comma missing?)")
            }
        }
    }

    private mutating func parseLiteral(_ word: String, kind: JSON5Node.Kind) throws(JSON5SyntaxError) -> JSON5Node {
        let start = offset
        for expected in word.unicodeScalars {
            guard peek() == expected else {
                throw JSON5SyntaxError(offset: start, message: "expected a value, found \(describeWord(at: start)) (strings need quotes; literals are true, false and null)")
            }
            offset += 1
        }
        if let next = peek(), Self.isIdentifierPart(next) {
            throw JSON5SyntaxError(offset: start, message: "expected a value, found \(describeWord(at: start)) (strings need quotes; literals are true, false and null)")
        }
        return JSON5Node(kind: kind, start: start, end: offset)
    }

    private mutating func parseNumber() throws(JSON5SyntaxError) -> JSON5Node {
        let start = offset
        if peek() == "+" || peek() == "-" { offset += 1 }
        if matchWord("Infinity") || matchWord("NaN") {
            return try finishNumber(start: start)
        }
        if peek() == "0", let next = peek(at: offset + 1), next == "x" || next == "X" {
            offset += 2
            let digitsStart = offset
            while let scalar = peek(), scalar.properties.isASCIIHexDigit { offset += 1 }
            guard offset > digitsStart else {
                throw JSON5SyntaxError(offset: offset, message: "a hexadecimal number needs digits after '0x'")
            }
            return try finishNumber(start: start)
        }
        let integerStart = offset
        let integerDigits = skipDigits()
        if integerDigits > 1, scalars[integerStart] == "0" {
            throw JSON5SyntaxError(offset: integerStart, message: "numbers may not have leading zeros")
        }
        var fractionDigits = 0
        if peek() == "." {
            offset += 1
            fractionDigits = skipDigits()
        }
        guard integerDigits + fractionDigits > 0 else {
            throw JSON5SyntaxError(offset: start, message: "expected a number, found \(describeWord(at: start))")
        }
        if peek() == "e" || peek() == "E" {
            offset += 1
            if peek() == "+" || peek() == "-" { offset += 1 }
            guard skipDigits() > 0 else {
                throw JSON5SyntaxError(offset: offset, message: "an exponent needs digits after 'e'")
            }
        }
        return try finishNumber(start: start)
    }

    private mutating func finishNumber(start: Int) throws(JSON5SyntaxError) -> JSON5Node {
        if let next = peek(), Self.isIdentifierPart(next) || next == "." {
            throw JSON5SyntaxError(offset: start, message: "invalid number \(describeWord(at: start))")
        }
        return JSON5Node(kind: .number, start: start, end: offset)
    }

    // MARK: Strings and keys

    private mutating func parseKey() throws(JSON5SyntaxError) -> String {
        guard let scalar = peek() else {
            throw JSON5SyntaxError(offset: offset, message: "unexpected end of file: expected a key")
        }
        if scalar == "\"" || scalar == "'" { return try parseString() }
        var name = String.UnicodeScalarView()
        var first = true
        while let current = peek() {
            var decoded = current
            var length = 1
            if current == "\\" {
                guard peek(at: offset + 1) == "u", let escaped = hexValue(at: offset + 2, count: 4),
                      let unicode = Unicode.Scalar(escaped) else {
                    throw JSON5SyntaxError(offset: offset, message: "invalid escape in the key (only \\uXXXX is allowed in unquoted keys)")
                }
                decoded = unicode
                length = 6
            }
            let valid = first ? Self.isIdentifierStart(decoded) : Self.isIdentifierPart(decoded)
            guard valid else { break }
            name.append(decoded)
            offset += length
            first = false
        }
        guard !name.isEmpty else {
            throw JSON5SyntaxError(offset: offset, message: "expected a key (a name or a quoted string) or '}', found \(describe(scalar))")
        }
        return String(name)
    }

    private mutating func parseString() throws(JSON5SyntaxError) -> String {
        let start = offset
        let quote = scalars[offset]
        offset += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else {
                throw JSON5SyntaxError(offset: start, message: "unterminated string: the string starting here has no closing \(quote == "\"" ? "double" : "single") quote")
            }
            if scalar == quote {
                offset += 1
                return String(value)
            }
            if scalar == "\n" || scalar == "\r" {
                throw JSON5SyntaxError(offset: offset, message: "line break inside a string: write \\n, or end the line with a backslash to continue the string")
            }
            if scalar.value < 0x20 {
                // JSON5 would allow a raw tab here; Foundation's reader does not.
                throw JSON5SyntaxError(offset: offset, message: "\(describe(scalar)) inside a string: write it escaped (a tab as \\t)")
            }
            if scalar == "\\" {
                try parseEscape(into: &value)
                continue
            }
            value.append(scalar)
            offset += 1
        }
    }

    private mutating func parseEscape(into value: inout String.UnicodeScalarView) throws(JSON5SyntaxError) {
        let escapeStart = offset
        offset += 1
        guard let escaped = peek() else {
            throw JSON5SyntaxError(offset: escapeStart, message: "unterminated string: it ends with a backslash")
        }
        offset += 1
        switch escaped {
        case "b": value.append("\u{08}")
        case "f": value.append("\u{0C}")
        case "n": value.append("\n")
        case "r": value.append("\r")
        case "t": value.append("\t")
        case "x":
            guard let code = hexValue(at: offset, count: 2), let scalar = Unicode.Scalar(code) else {
                throw JSON5SyntaxError(offset: escapeStart, message: "invalid escape: '\\x' needs two hexadecimal digits")
            }
            value.append(scalar)
            offset += 2
        case "u":
            guard let code = hexValue(at: offset, count: 4) else {
                throw JSON5SyntaxError(offset: escapeStart, message: "invalid escape: '\\u' needs four hexadecimal digits")
            }
            offset += 4
            if (0xD800...0xDBFF).contains(code), peek() == "\\", peek(at: offset + 1) == "u",
               let low = hexValue(at: offset + 2, count: 4), (0xDC00...0xDFFF).contains(low),
               let scalar = Unicode.Scalar(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)) {
                offset += 6
                value.append(scalar)
            } else {
                value.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            }
        case "\r":
            if peek() == "\n" { offset += 1 }
        case "\n", "\u{2028}", "\u{2029}":
            break
        case "\"", "'", "\\", "/":
            value.append(escaped)
        default:
            // JSON5 also allows \v, \0 and "\q" meaning "q"; Foundation's reader refuses them, so we do too.
            throw JSON5SyntaxError(offset: escapeStart, message: "unsupported escape '\\\(escaped)': use \\n \\r \\t \\b \\f \\\\ \\' \\\" \\/ \\xHH or \\uHHHH")
        }
    }

    // MARK: Whitespace and comments

    private mutating func skipTrivia() throws(JSON5SyntaxError) {
        while let scalar = peek() {
            if Self.isWhitespace(scalar) {
                offset += 1
            } else if scalar == "/", peek(at: offset + 1) == "/" {
                offset += 2
                while let current = peek(), !Self.isLineTerminator(current) { offset += 1 }
            } else if scalar == "/", peek(at: offset + 1) == "*" {
                let start = offset
                offset += 2
                while true {
                    guard let current = peek() else {
                        throw JSON5SyntaxError(offset: start, message: "unterminated comment: '/*' is never closed with '*/'")
                    }
                    if current == "*", peek(at: offset + 1) == "/" {
                        offset += 2
                        break
                    }
                    offset += 1
                }
            } else if scalar == "/" {
                throw JSON5SyntaxError(offset: offset, message: "unexpected '/': comments start with '//' or '/*'")
            } else {
                return
            }
        }
    }

    // MARK: Scalars

    private func peek() -> Unicode.Scalar? {
        offset < scalars.count ? scalars[offset] : nil
    }

    private func peek(at index: Int) -> Unicode.Scalar? {
        index < scalars.count ? scalars[index] : nil
    }

    private mutating func matchWord(_ word: String) -> Bool {
        var index = offset
        for expected in word.unicodeScalars {
            guard peek(at: index) == expected else { return false }
            index += 1
        }
        offset = index
        return true
    }

    private mutating func skipDigits() -> Int {
        let start = offset
        while let scalar = peek(), ("0"..."9").contains(scalar) { offset += 1 }
        return offset - start
    }

    private func hexValue(at index: Int, count: Int) -> UInt32? {
        guard index + count <= scalars.count else { return nil }
        var result: UInt32 = 0
        for scalar in scalars[index..<(index + count)] {
            guard scalar.properties.isASCIIHexDigit, let digit = UInt32(String(scalar), radix: 16) else { return nil }
            result = result * 16 + digit
        }
        return result
    }

    /// The word starting at `index` (up to 20 characters), quoted, for messages.
    private func describeWord(at index: Int) -> String {
        var end = index
        while end < scalars.count, end - index < 20, !Self.isWhitespace(scalars[end]),
              ![",", "}", "]", ":"].contains(scalars[end]) {
            end += 1
        }
        guard end > index else { return peek(at: index).map(describe) ?? "the end of the file" }
        var word = String.UnicodeScalarView()
        word.append(contentsOf: scalars[index..<end])
        return "'\(String(word))'"
    }

    private func describe(_ scalar: Unicode.Scalar) -> String {
        if !scalar.isASCII, scalar.properties.isWhitespace || scalar == "\u{FEFF}" {
            return "the non-ASCII space U+\(String(scalar.value, radix: 16, uppercase: true)) (replace it with a normal space)"
        }
        if scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.generalCategory == .format {
            return "the control character U+\(String(scalar.value, radix: 16, uppercase: true))"
        }
        return "'\(Character(scalar))'"
    }

    package static func isLineTerminator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\n" || scalar == "\r" || scalar == "\u{2028}" || scalar == "\u{2029}"
    }

    /// ASCII whitespace only: JSON5 also allows Unicode spaces, but Foundation's reader refuses them, and a
    /// file must not pass the check and then fail to decode. Non-ASCII spaces get their own message.
    package static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\u{0B}", "\u{0C}", "\r", " ": return true
        default: return false
        }
    }

    package static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "$" || scalar == "_" { return true }
        if scalar.isASCII { return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        return scalar.properties.isIDStart
    }

    package static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        if isIdentifierStart(scalar) || ("0"..."9").contains(scalar) { return true }
        if scalar == "\u{200C}" || scalar == "\u{200D}" { return true }
        return !scalar.isASCII && scalar.properties.isIDContinue
    }
}
