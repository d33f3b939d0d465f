import ImagegenJSON5
/// What is wrong in a template file. Each message names the thing and says what to do.
public enum TemplateIssue: Hashable, Sendable, Codable, CustomStringConvertible {
    case unreadableFile(reason: String)
    case invalidEncoding
    case syntax(String)
    case duplicateKey(key: String, firstAt: SourcePosition)
    case unknownKey(key: String, context: String, suggestion: String?)
    case missingField(field: String, context: String)
    case wrongType(field: String, expected: String, found: String)
    case invalidValue(field: String, reason: String)
    case outOfRange(field: String, value: String, allowed: String)
    case invalidName(kind: String, name: String)
    case duplicateTemplateName(name: String, firstFile: String, firstAt: SourcePosition)
    case duplicateCategory(category: String, firstFile: String)
    case categoryNameMismatch(category: String, fileName: String)
    case undefinedPlaceholder(name: String, field: String)
    case malformedPlaceholder(text: String, field: String)
    case emptyPlaceholderValues(name: String)
    case duplicatePlaceholderValue(name: String, value: String)
    case unusedPlaceholder(name: String)
    case emptyPrompt(field: String)
    case tooFewArms(count: Int)
    case duplicateArmName(name: String)
    case noTemplates
    /// The content policy refuses a prompt this template can produce (checked at load time).
    case policyRefused(rule: String, message: String)

    public enum Severity: String, Sendable, Codable {
        /// The template (or, outside any template, the whole file) is not loaded.
        case error
        /// Loaded as written, but probably not what the author meant.
        case warning
    }

    public var severity: Severity {
        switch self {
        case .unknownKey, .categoryNameMismatch, .duplicatePlaceholderValue, .unusedPlaceholder, .noTemplates:
            return .warning
        default:
            return .error
        }
    }

    public var description: String {
        switch self {
        case .unreadableFile(let reason):
            return "cannot read the file: \(reason)"
        case .invalidEncoding:
            return "the file is not valid UTF-8 text (first bad byte here); save it as UTF-8"
        case .syntax(let message):
            return "JSON5 syntax: \(message)"
        case .duplicateKey(let key, let first):
            return "the key '\(key)' appears twice in one object (first at \(first)); remove one of them"
        case .unknownKey(let key, let context, let suggestion):
            let hint = suggestion.map { " — did you mean '\($0)'?" } ?? "; it is ignored"
            return "unknown key '\(key)' in \(context)\(hint)"
        case .missingField(let field, let context):
            return "missing required field '\(field)' in \(context)"
        case .wrongType(let field, let expected, let found):
            return "'\(field)' must be \(expected), found \(found)"
        case .invalidValue(let field, let reason):
            return "invalid '\(field)': \(reason)"
        case .outOfRange(let field, let value, let allowed):
            return "'\(field)' is \(value), outside the allowed \(allowed)"
        case .invalidName(let kind, let name):
            return "invalid \(kind) name '\(name)': use lowercase letters, digits, '_' and '-', starting with a letter or digit"
        case .duplicateTemplateName(let name, let file, let first):
            return "a template named '\(name)' is already defined at \(file):\(first); template names must be unique across all files, rename one"
        case .duplicateCategory(let category, let file):
            return "the category '\(category)' is already defined in \(file); keep one file per category"
        case .categoryNameMismatch(let category, let fileName):
            return "the file \(fileName) declares category '\(category)'; name the file \(category).json5 so it is easy to find"
        case .undefinedPlaceholder(let name, let field):
            return "{{\(name)}} is used in \(field) but has no values; add \(name): [\"…\"] to placeholders (of the template or the file's defaults)"
        case .malformedPlaceholder(let text, let field):
            return "malformed placeholder \(text) in \(field): write {{name}} with a name of letters, digits and '_'"
        case .emptyPlaceholderValues(let name):
            return "placeholder '\(name)' has no values; give it at least one"
        case .duplicatePlaceholderValue(let name, let value):
            return "placeholder '\(name)' lists '\(value)' more than once; duplicates only skew the choice"
        case .unusedPlaceholder(let name):
            return "placeholder '\(name)' has values but no prompt uses {{\(name)}}"
        case .emptyPrompt(let field):
            return "\(field) is empty; write the text to send to the provider"
        case .tooFewArms(let count):
            return "an experiment needs at least 2 arms, this one has \(count)"
        case .duplicateArmName(let name):
            return "two arms are named '\(name)'; arm names must be unique within the experiment"
        case .noTemplates:
            return "the file has no templates"
        case .policyRefused(let rule, let message):
            return "refused by the content policy (rule \(rule)): \(message). The template is not loaded and cannot be generated; change its prompt or placeholder values"
        }
    }
}
