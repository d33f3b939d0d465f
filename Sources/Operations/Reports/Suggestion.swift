/// An action the report proposes, with the numbers it rests on.
package struct Suggestion: Sendable, Hashable, Codable {
    package enum Kind: String, Sendable, Hashable, Codable {
        case cheaperModel = "cheaper_model"
        case lowQualityTemplate = "low_quality_template"
        case contentFilteredTemplate = "content_filtered_template"
        case promoteExperiment = "promote_experiment"
        case providerTrendingUp = "provider_trending_up"
    }

    /// One number behind a suggestion.
    package struct Figure: Sendable, Hashable, Codable {
        package var name: String
        package var value: Double
        package var unit: String

        package init(_ name: String, _ value: Double, _ unit: String) {
            self.name = name
            self.value = value
            self.unit = unit
        }
    }

    package var kind: Kind
    /// What it is about (a category/model pair, a template, an experiment, a provider).
    package var subject: String
    /// One sentence, with the key numbers.
    package var text: String
    package var figures: [Figure]

    package init(kind: Kind, subject: String, text: String, figures: [Figure]) {
        self.kind = kind
        self.subject = subject
        self.text = text
        self.figures = figures
    }
}
