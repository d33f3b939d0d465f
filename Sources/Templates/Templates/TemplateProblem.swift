import ImagegenJSON5
/// A problem found while loading templates, with the file and the line/column it concerns.
///
/// Problems are values, not thrown errors: one broken file (or template) must not stop the others from
/// loading, so the library collects them and lets `imagegen templates check` print them all.
public struct TemplateProblem: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The file as the library was given it (path, or a name for in-memory sources).
    public var file: String
    public var position: SourcePosition
    /// The template concerned, when the problem lies inside one.
    public var template: String?
    public var issue: TemplateIssue

    public init(file: String, position: SourcePosition, template: String? = nil, issue: TemplateIssue) {
        self.file = file
        self.position = position
        self.template = template
        self.issue = issue
    }

    public var severity: TemplateIssue.Severity { issue.severity }

    /// `file:line:column: error: message` — the format editors and CI annotate.
    public var description: String {
        let scope = template.map { " (template '\($0)')" } ?? ""
        return "\(file):\(position.line):\(position.column): \(severity.rawValue): \(issue)\(scope)"
    }
}
