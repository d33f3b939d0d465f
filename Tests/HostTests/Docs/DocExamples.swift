import Foundation

/// The fenced examples of README.md and docs/*.md, read the way a user copies them: shell blocks
/// as commands (comments dropped, continued and multi-line quoted lines joined), config blocks as text.
struct DocExample {
    var file: String
    var line: Int
    var language: String
    var text: String

    var place: String { "\(file):\(line)" }

    static func all(root: String) throws -> [DocExample] {
        let docs = try FileManager.default.contentsOfDirectory(atPath: root + "/docs").filter { $0.hasSuffix(".md") }.sorted()
        return try (["README.md"] + docs.map { "docs/" + $0 }).flatMap { file in
            try blocks(in: String(contentsOfFile: root + "/" + file, encoding: .utf8), file: file)
        }
    }

    static func blocks(in markdown: String, file: String) -> [DocExample] {
        var result: [DocExample] = []
        var open: (line: Int, language: String, lines: [String])?
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                if let block = open {
                    result.append(DocExample(file: file, line: block.line, language: block.language, text: block.lines.joined(separator: "\n")))
                    open = nil
                } else {
                    open = (index + 2, String(trimmed.dropFirst(3)), [])
                }
            } else if open != nil {
                open?.lines.append(String(line))
            }
        }
        return result
    }

    /// The commands of a shell block: one per line, or several lines joined by a trailing `\` or
    /// an open quote; `# comments` and blank lines dropped, `;` separating commands.
    var commands: [(line: Int, text: String)] {
        var result: [(Int, String)] = []
        var pending = "", start = line
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if pending.isEmpty { start = line + offset }
            var piece = String(raw)
            if pending.isEmpty, piece.trimmingCharacters(in: .whitespaces).hasPrefix("#") { continue }
            if piece.hasSuffix("\\") {
                piece.removeLast()
                pending += piece + " "
                continue
            }
            pending += piece
            if ShellWords.hasOpenQuote(ShellWords.droppingComment(pending)) {
                pending += "\n"
                continue
            }
            for command in ShellWords.separate(ShellWords.droppingComment(pending)) where !command.isEmpty {
                result.append((start, command))
            }
            pending = ""
        }
        return result
    }
}

/// Just enough of the shell's word rules for documentation examples: quotes, comments, `;`.
enum ShellWords {
    static func hasOpenQuote(_ text: String) -> Bool {
        var quote: Character?
        for c in text {
            if let q = quote { if c == q { quote = nil } } else if c == "'" || c == "\"" { quote = c }
        }
        return quote != nil
    }

    /// The text before an unquoted ` #`.
    static func droppingComment(_ text: String) -> String {
        var quote: Character?
        var previous: Character = " "
        var out = ""
        for c in text {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "#", previous.isWhitespace {
                break
            }
            out.append(c)
            previous = c
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// Commands split at unquoted `;`, trimmed.
    static func separate(_ text: String) -> [String] {
        var quote: Character?
        var parts: [String] = [], current = ""
        for c in text {
            if let q = quote { if c == q { quote = nil } } else if c == "'" || c == "\"" { quote = c } else if c == ";" {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            current.append(c)
        }
        parts.append(current.trimmingCharacters(in: .whitespaces))
        return parts
    }

    /// Words with quotes removed (no expansions: examples that need them run through `sh`).
    static func split(_ text: String) -> [String] {
        var words: [String] = [], current = "", quote: Character?, inWord = false
        for c in text {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                inWord = true
            } else if c.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
