/// An action the report proposes, with the numbers it rests on.
public struct Suggestion: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case cheaperModel = "cheaper_model"
        case lowQualityTemplate = "low_quality_template"
        case contentFilteredTemplate = "content_filtered_template"
        case promoteExperiment = "promote_experiment"
        case providerTrendingUp = "provider_trending_up"
    }

    /// One number behind a suggestion.
    public struct Figure: Sendable, Hashable, Codable {
        public var name: String
        public var value: Double
        public var unit: String

        public init(_ name: String, _ value: Double, _ unit: String) {
            self.name = name
            self.value = value
            self.unit = unit
        }
    }

    public var kind: Kind
    /// What it is about (a category/model pair, a template, an experiment, a provider).
    public var subject: String
    /// One sentence, with the key numbers.
    public var text: String
    public var figures: [Figure]

    public init(kind: Kind, subject: String, text: String, figures: [Figure]) {
        self.kind = kind
        self.subject = subject
        self.text = text
        self.figures = figures
    }
}
