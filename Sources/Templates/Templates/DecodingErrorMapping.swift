import ImagegenJSON5
/// Turns Foundation's `DecodingError` into a positioned `TemplateIssue`.
///
/// Foundation names the failing value by its coding path; the outline knows where that path is in the
/// text and what was actually written there, so the message can say "found a string" with a line number.
enum DecodingErrorMapping {
    static func report(_ error: DecodingError, in context: inout TemplateFileContext) {
        switch error {
        case .keyNotFound(let key, let info):
            let path = JSON5PathComponent.path(from: info.codingPath)
            let container = context.outline.root.nearestNode(at: path)
            context.report(.missingField(field: key.stringValue, context: describeContainer(path, context: context)),
                           at: container.start)
        case .typeMismatch(let type, let info), .valueNotFound(let type, let info):
            let path = JSON5PathComponent.path(from: info.codingPath)
            let found = context.outline.root.node(at: path)?.typeDescription ?? "something else"
            context.report(.wrongType(field: fieldName(path), expected: expectedDescription(type), found: found),
                           at: context.offset(of: path))
        case .dataCorrupted(let info):
            let path = JSON5PathComponent.path(from: info.codingPath)
            if path.isEmpty {
                context.report(.syntax("Foundation's JSON5 reader refused the file: \(info.debugDescription)"), at: 0)
            } else {
                context.report(.invalidValue(field: fieldName(path), reason: info.debugDescription), at: context.offset(of: path))
            }
        @unknown default:
            context.report(.syntax("\(error)"), at: 0)
        }
    }

    /// `templates[1].parameters.width`
    static func fieldName(_ path: [JSON5PathComponent]) -> String {
        var text = ""
        for component in path {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text.isEmpty ? "the file" : text
    }

    private static func describeContainer(_ path: [JSON5PathComponent], context: TemplateFileContext) -> String {
        if path.count == 2, path[0] == .key("templates"), case .index(let index) = path[1] {
            return context.templateName(at: index).map { "template '\($0)'" } ?? "template \(index + 1) of the file"
        }
        return path.isEmpty ? "the file" : fieldName(path)
    }

    private static func expectedDescription(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is [String].Type: return "an array of strings"
        case is [String: [String]].Type: return "an object of string arrays"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }
}
