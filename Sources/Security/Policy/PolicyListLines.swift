import Foundation

/// The lines of a shipped or replacement policy list (public figures, given names): one entry a
/// line, `#` starts a comment, blanks around an entry and empty lines are dropped.
///
/// Written on Unicode scalars instead of Foundation's `trimmingCharacters`, which bridges every
/// line through NSString: for the 13,000 shipped public figures that was a third of the CPU of
/// a whole `imagegen models` run.
enum PolicyListLines {
    static func entries(_ text: String) -> [Substring] {
        var entries: [Substring] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.firstIndex(of: "#").map { raw[..<$0] } ?? raw
            let trimmed = trimmingBlanks(line)
            if !trimmed.isEmpty { entries.append(trimmed) }
        }
        return entries
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
