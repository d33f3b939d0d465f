import Foundation

/// `{{name}}` references in prompts: finding them and filling them in.
///
/// A name is a letter or underscore followed by letters, digits or underscores; spaces inside the braces
/// are allowed (`{{ outfit }}`). Anything else that starts with `{{` is reported as malformed rather than
/// being sent to a provider verbatim.
package enum PlaceholderSyntax {
    /// One `{{name}}` occurrence: the name and the exact text as written.
    package struct Reference: Hashable, Sendable {
        package let name: String
        package let text: String
    }

    /// Occurrences of `{{` that do not form a valid reference, as the text from `{{` to the end of the line.
    package static func malformed(in text: String) -> [String] {
        scan(text).malformed
    }

    package static func references(in text: String) -> [Reference] {
        scan(text).references
    }

    /// Replaces every reference with its value. References without a value are left as written
    /// (validation has already refused templates that have them).
    package static func fill(_ text: String, with values: [String: String]) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            if let close = afterOpen.range(of: "}}") {
                let name = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                if isValidName(name), let value = values[name] {
                    result += value
                } else {
                    result += rest[open.lowerBound..<close.upperBound]
                }
                rest = afterOpen[close.upperBound...]
            } else {
                result += rest[open.lowerBound...]
                rest = ""
            }
        }
        return result + rest
    }

    package static func isValidName(_ name: some StringProtocol) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    private static func scan(_ text: String) -> (references: [Reference], malformed: [String]) {
        var references: [Reference] = []
        var malformed: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            let afterOpen = rest[open.upperBound...]
            let lineEnd = afterOpen.firstIndex(where: \.isNewline) ?? afterOpen.endIndex
            if let close = afterOpen[..<lineEnd].range(of: "}}") {
                let name = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                let written = String(rest[open.lowerBound..<close.upperBound])
                if isValidName(name) {
                    references.append(Reference(name: name, text: written))
                } else {
                    malformed.append(written)
                }
                rest = afterOpen[close.upperBound...]
            } else {
                malformed.append(String(rest[open.lowerBound..<lineEnd]))
                rest = afterOpen[lineEnd...]
            }
        }
        return (references, malformed)
    }
}
