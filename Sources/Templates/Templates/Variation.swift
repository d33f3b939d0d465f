/// One image to generate from a template: what to send, and what to record on the image.
///
/// The record (template name + version, arm, profile, placeholder values, seed) is enough to regenerate the
/// image or explain it later; the resolved prompts and parameters are what the provider receives.
package struct Variation: Codable, Sendable, Hashable {
    /// Position in its batch (0-based).
    package var index: Int
    package var templateName: String
    package var templateVersion: TemplateVersion
    package var category: String
    /// The experiment arm whose prompt was used, if the template is an experiment and an arm was assigned.
    package var arm: String?
    /// The preference profile that biased the placeholder choice and parameters, if any.
    package var profile: String?
    /// Placeholder name → the value chosen for this image.
    package var placeholderValues: [String: String]
    package var seed: UInt32
    package var prompt: String
    package var negativePrompt: String
    package var parameters: TemplateParameters
    package var model: String?

    package init(index: Int, templateName: String, templateVersion: TemplateVersion, category: String, arm: String?,
                profile: String?, placeholderValues: [String: String], seed: UInt32, prompt: String,
                negativePrompt: String, parameters: TemplateParameters, model: String?) {
        self.index = index
        self.templateName = templateName
        self.templateVersion = templateVersion
        self.category = category
        self.arm = arm
        self.profile = profile
        self.placeholderValues = placeholderValues
        self.seed = seed
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.parameters = parameters
        self.model = model
    }

    enum CodingKeys: String, CodingKey {
        case index
        case templateName = "template"
        case templateVersion = "template_version"
        case category, arm, profile
        case placeholderValues = "placeholder_values"
        case seed, prompt
        case negativePrompt = "negative_prompt"
        case parameters, model
    }
}
