import Foundation

/// The lines of a shipped or replacement policy list (public figures, given names): one entry a
/// line, `#` starts a comment, blanks around an entry and empty lines are dropped.
///
/// Written on UTF-8 bytes instead of Characters and Foundation's `trimmingCharacters` (which
/// bridges every line through NSString): for the 13,000 shipped public figures those were a third
/// of the CPU of a whole `imagegen models` run.
enum PolicyListLines {
    static func entries(_ text: String) -> [Substring] {
        var entries: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex, i = start
        while i != utf8.endIndex {
            guard let width = newlineWidth(utf8, at: i) else { i = utf8.index(after: i); continue }
            add(text[start..<i], to: &entries)
            i = utf8.index(i, offsetBy: width)
            start = i
        }
        add(text[start...], to: &entries)
        return entries
    }

    private static func add(_ raw: Substring, to entries: inout [Substring]) {
        let line = raw.utf8.firstIndex(of: UInt8(ascii: "#")).map { raw[..<$0] } ?? raw
        let trimmed = trimmingBlanks(line)
        if !trimmed.isEmpty { entries.append(trimmed) }
    }

    /// The bytes of the line break at `i`, if one starts there: what `Character.isNewline` calls a
    /// newline (LF, VT, FF, CR, NEL, LS, PS; CR LF gives an empty line between, which is dropped).
    private static func newlineWidth(_ utf8: String.UTF8View, at i: String.Index) -> Int? {
        switch utf8[i] {
        case 0x0A...0x0D: return 1
        case 0xC2:
            let next = utf8.index(after: i)
            return next != utf8.endIndex && utf8[next] == 0x85 ? 2 : nil
        case 0xE2:
            let second = utf8.index(after: i)
            guard second != utf8.endIndex, utf8[second] == 0x80 else { return nil }
            let third = utf8.index(after: second)
            return third != utf8.endIndex && (utf8[third] == 0xA8 || utf8[third] == 0xA9) ? 3 : nil
        default: return nil
        }
    }

    /// `line` without the spaces and tabs (any Unicode space separator) at either end.
    static func trimmingBlanks(_ line: Substring) -> Substring {
        let scalars = line.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isBlank($0) }),
              let last = scalars.lastIndex(where: { !isBlank($0) }) else { return "" }
        return Substring(scalars[first...last])
    }

    /// Exactly what the lists were trimmed of before: `CharacterSet.whitespaces`, asked only
    /// about the scalars at a line's ends.
    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || CharacterSet.whitespaces.contains(scalar)
    }
}
