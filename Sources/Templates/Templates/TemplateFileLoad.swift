import ImagegenJSON5
/// What one category file yielded: its category (nil when the file failed as a whole), the templates that
/// passed validation, and every problem found.
struct TemplateFileLoad: Sendable {
    var category: TemplateCategory?
    var templates: [(template: PromptTemplate, source: TemplateSource)]
    var problems: [TemplateProblem]
    /// Where the file's `category` key is, for problems about the category as a whole.
    var categoryPosition = SourcePosition(line: 1, column: 1)
}
