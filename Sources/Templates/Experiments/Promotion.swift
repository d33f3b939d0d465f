/// The result of promoting an experiment's winning arm: the template's next version, and the edited file
/// text that produces it. Nothing is written: the caller persists the file and records the version.
public struct Promotion: Sendable, Hashable {
    public var arm: String
    public var previousVersion: TemplateVersion
    /// The template with the arm's prompt, without the experiment.
    public var template: PromptTemplate
    public var newVersion: TemplateVersion { template.version }
    /// The category file's new text (comments and other templates untouched), when the file text was given.
    public var fileText: String?
}
