/// The result of promoting an experiment's winning arm: the template's next version, and the edited file
/// text that produces it. Nothing is written: the caller persists the file and records the version.
package struct Promotion: Sendable, Hashable {
    package var arm: String
    package var previousVersion: TemplateVersion
    /// The template with the arm's prompt, without the experiment.
    package var template: PromptTemplate
    package var newVersion: TemplateVersion { template.version }
    /// The category file's new text (comments and other templates untouched), when the file text was given.
    package var fileText: String?
}
