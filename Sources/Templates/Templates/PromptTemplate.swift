import Foundation

/// A prompt template as loaded and validated from a category file, with file `defaults` applied.
///
/// Plain `Codable` value: the catalog can store it as JSON and the API can return it. Its `name` is the
/// stable id (unique across the library); its `version` is derived from its content, never stored in it.
public struct PromptTemplate: Codable, Sendable, Hashable, Identifiable {
    public var name: String
    public var category: String
    /// Copied from the category file so that every consumer (policy, listings) sees it with the template.
    public var adult: Bool
    /// May contain `{{placeholder}}` references.
    public var prompt: String
    public var negativePrompt: String
    public var parameters: TemplateParameters
    /// A model name or alias for the router; nil means the generator's default.
    public var model: String?
    public var tags: [String]
    /// Placeholder name → the values it can take.
    public var placeholders: [String: [String]]
    public var experiment: TemplateExperiment?

    public var id: String { name }

    public init(name: String, category: String, adult: Bool, prompt: String, negativePrompt: String = "",
                parameters: TemplateParameters = .standard, model: String? = nil, tags: [String] = [],
                placeholders: [String: [String]] = [:], experiment: TemplateExperiment? = nil) {
        self.name = name
        self.category = category
        self.adult = adult
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.parameters = parameters
        self.model = model
        self.tags = tags
        self.placeholders = placeholders
        self.experiment = experiment
    }

    enum CodingKeys: String, CodingKey {
        case name, category, adult, prompt
        case negativePrompt = "negative_prompt"
        case parameters, model, tags, placeholders, experiment
    }

    /// The content hash of the canonical JSON (sorted keys). Any change that affects generation —
    /// prompt, parameters, placeholders, arms, tags, model, category — gives a new version.
    public var version: TemplateVersion {
        TemplateVersion(hashing: Array(canonicalJSON))
    }

    /// Sorted keys and unescaped slashes: the same template always gives the same bytes.
    public var canonicalJSON: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and arrays cannot fail.
        // try?: encoding these plain value fields cannot fail
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Placeholders referenced by the prompt, the negative prompt or any arm, sorted by name.
    public var referencedPlaceholders: [String] {
        var texts = [prompt, negativePrompt]
        for arm in experiment?.arms ?? [] {
            texts.append(arm.prompt)
            if let negative = arm.negativePrompt { texts.append(negative) }
        }
        return Set(texts.flatMap { PlaceholderSyntax.references(in: $0).map(\.name) }).sorted()
    }

    /// The template as one arm would generate it: that arm's prompt (and negative prompt, if it has one).
    public func applying(arm: ExperimentArm) -> PromptTemplate {
        var copy = self
        copy.prompt = arm.prompt
        if let negative = arm.negativePrompt { copy.negativePrompt = negative }
        return copy
    }
}
