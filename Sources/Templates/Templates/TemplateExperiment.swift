/// A prompt A/B test attached to a template: two or more alternative prompts ("arms").
///
/// Generation picks one arm per image (see `ArmAssigner`); ratings and quality scores of the images tell
/// which arm works better, and `ExperimentPromoter` makes the winner the template's prompt.
public struct TemplateExperiment: Codable, Sendable, Hashable {
    public var arms: [ExperimentArm]

    public init(arms: [ExperimentArm]) {
        self.arms = arms
    }

    public var armNames: [String] { arms.map(\.name) }

    public func arm(named name: String) -> ExperimentArm? {
        arms.first { $0.name == name }
    }
}

/// One alternative prompt of an experiment. Its name is the stable id recorded on every image.
public struct ExperimentArm: Codable, Sendable, Hashable, Identifiable {
    public var name: String
    public var prompt: String
    /// Replaces the template's negative prompt for this arm when set.
    public var negativePrompt: String?

    public var id: String { name }

    public init(name: String, prompt: String, negativePrompt: String? = nil) {
        self.name = name
        self.prompt = prompt
        self.negativePrompt = negativePrompt
    }

    enum CodingKeys: String, CodingKey {
        case name, prompt
        case negativePrompt = "negative_prompt"
    }
}
