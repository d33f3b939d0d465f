import ImagegenJSON5
import Foundation

/// Edits one template inside a category file's text, keeping the author's comments, layout and the other
/// templates byte for byte.
///
/// Positions come from the JSON5 outline; each change is a replacement of a scalar range, applied from the
/// end of the text backwards so earlier ranges stay valid.
struct TemplateFileEditor {
    private struct Replacement {
        let range: Range<Int>
        let text: String
    }

    let file: String
    private let scalars: [Unicode.Scalar]
    private let lines: SourceLineIndex
    private let template: JSON5Node
    private var replacements: [Replacement] = []

    init(file: String, text: String, template name: String) throws(TemplateEditError) {
        self.file = file
        scalars = Array(text.unicodeScalars)
        lines = SourceLineIndex(scalars)
        let outline: JSON5Outline
        do {
            outline = try JSON5OutlineParser.parse(text)
        } catch {
            throw .unparsable(file: file, problem: "\(lines.position(of: error.offset)): \(error.message)")
        }
        guard let node = outline.root.member("templates")?.value.elements.first(where: { $0.member("name")?.value.stringValue == name }) else {
            throw .templateNotFound(file: file, template: name)
        }
        template = node
    }

    /// Sets a string member of the template, replacing its value or adding it after `after` (or first).
    mutating func setString(_ key: String, to value: String, insertingAfter after: String) {
        let literal = Self.literal(value)
        if let member = template.member(key) {
            replacements.append(Replacement(range: member.value.start..<member.value.end, text: literal))
            return
        }
        guard let anchor = template.member(after) else {
            replacements.append(Replacement(range: (template.start + 1)..<(template.start + 1), text: " \(key): \(literal),"))
            return
        }
        let indent = indentation(ofLineAt: anchor.keyStart)
        if let commaEnd = anchor.commaEnd {
            let point = endOfLineIfOnlyComment(after: commaEnd)
            replacements.append(Replacement(range: point..<point, text: "\n\(indent)\(key): \(literal),"))
        } else {
            replacements.append(Replacement(range: anchor.value.end..<anchor.value.end, text: ",\n\(indent)\(key): \(literal)"))
        }
    }

    /// Removes a member of the template (with its comma, its line if it had it alone, and a comment
    /// directly above it).
    mutating func removeMember(_ key: String) {
        guard let member = template.member(key) else { return }
        replacements.append(Replacement(range: removalRange(of: member), text: ""))
    }

    /// Removes members of the object at `key` in the template (e.g. unused placeholders).
    mutating func removeMembers(_ keys: Set<String>, ofObject key: String) {
        guard let object = template.member(key)?.value else { return }
        for member in object.members where keys.contains(member.key) {
            replacements.append(Replacement(range: removalRange(of: member), text: ""))
        }
    }

    /// The edited text.
    func apply() -> String {
        var result = scalars
        for replacement in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            result.replaceSubrange(replacement.range, with: Array(replacement.text.unicodeScalars))
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: result)
        return String(view)
    }

    // MARK: Text helpers

    private func removalRange(of member: JSON5Member) -> Range<Int> {
        var start = member.keyStart
        var end = member.commaEnd ?? member.value.end
        let lineStart = lines.lineStart(containing: start)
        if scalars[lineStart..<start].allSatisfy({ $0 == " " || $0 == "\t" }) {
            start = lineStart
            // A full-line comment directly above documents this member: it goes too.
            while start > 0 {
                let previousStart = lines.lineStart(containing: start - 1)
                let previous = String(String.UnicodeScalarView(scalars[previousStart..<(start - 1)]))
                guard previous.trimmingCharacters(in: .whitespaces).hasPrefix("//") else { break }
                start = previousStart
            }
            var lineEnd = end
            while lineEnd < scalars.count, scalars[lineEnd] == " " || scalars[lineEnd] == "\t" { lineEnd += 1 }
            if lineEnd < scalars.count, scalars[lineEnd] == "\n" { end = lineEnd + 1 }
            else if lineEnd + 1 < scalars.count, scalars[lineEnd] == "\r", scalars[lineEnd + 1] == "\n" { end = lineEnd + 2 }
        }
        return start..<end
    }

    /// The end of the line (before its line break) when only spaces or a `//` comment follow `offset` on
    /// it, so an inserted line goes below a trailing comment instead of stealing it; else `offset`.
    private func endOfLineIfOnlyComment(after offset: Int) -> Int {
        var end = offset
        while end < scalars.count, !JSON5OutlineParser.isLineTerminator(scalars[end]) { end += 1 }
        let rest = String(String.UnicodeScalarView(scalars[offset..<end])).trimmingCharacters(in: .whitespaces)
        guard rest.isEmpty || rest.hasPrefix("//") else { return offset }
        if end > offset, scalars[end - 1] == "\r" { end -= 1 }
        return end
    }

    private func indentation(ofLineAt offset: Int) -> String {
        let start = lines.lineStart(containing: offset)
        var view = String.UnicodeScalarView()
        for scalar in scalars[start..<offset] {
            guard scalar == " " || scalar == "\t" else { break }
            view.append(scalar)
        }
        return String(view)
    }

    /// A JSON string literal (valid JSON5), escaped by Foundation's encoder.
    static func literal(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // try?: encoding a Swift String as JSON cannot fail
        guard let data = try? encoder.encode(value) else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }
}
