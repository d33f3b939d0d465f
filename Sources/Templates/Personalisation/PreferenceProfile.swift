import Foundation

/// A named set of preferences (e.g. for a publishing channel or an audience) that biases which placeholder
/// values are chosen and which parameters are used, and that learns from ratings.
///
/// Declared in config, e.g.
/// `{ name: "instagram", placeholders: { colour: { red: 2, black: 1.5 } }, parameters: { aspect_ratio: "4:5" } }`;
/// a value without a weight has weight 1. Learning changes weights within `bounds`, so variety never
/// collapses (see `PreferenceBounds`). A plain value: the catalog stores the learned profile as JSON.
public struct PreferenceProfile: Codable, Sendable, Hashable, Identifiable {
    public var name: String
    public var description: String?
    /// Placeholder name → value → weight.
    public var placeholderWeights: [String: [String: Double]]
    public var parameters: ParameterPreferences
    public var bounds: PreferenceBounds
    /// How far one rating moves a weight: a 5 multiplies it by e^rate, a 1 divides it by e^rate.
    public var learningRate: Double

    public static let defaultLearningRate = 0.25

    public var id: String { name }

    public init(name: String, description: String? = nil, placeholderWeights: [String: [String: Double]] = [:],
                parameters: ParameterPreferences = ParameterPreferences(), bounds: PreferenceBounds = .standard,
                learningRate: Double = PreferenceProfile.defaultLearningRate) {
        self.name = name
        self.description = description
        self.placeholderWeights = placeholderWeights
        self.parameters = parameters
        self.bounds = bounds
        self.learningRate = learningRate
    }

    /// Reads one profile from JSON5 config text and validates it.
    public init(json5 text: String) throws(PreferenceProfileError) {
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        do {
            self = try decoder.decode(PreferenceProfile.self, from: Data(text.utf8))
        } catch {
            throw .unreadable(reason: "\(error)")
        }
        try validate()
    }

    /// Throws when a name, weight, bound or rate would make the profile misbehave.
    public func validate() throws(PreferenceProfileError) {
        guard TemplateName.isValid(name) else {
            throw .invalidProfile(name: name, reason: "the name must be lowercase letters, digits, '_' or '-'")
        }
        if let problem = bounds.problem { throw .invalidProfile(name: name, reason: problem) }
        guard learningRate.isFinite, learningRate > 0, learningRate <= 2 else {
            throw .invalidProfile(name: name, reason: "learning_rate must be in (0, 2]")
        }
        for (placeholder, weights) in placeholderWeights {
            for (value, weight) in weights where !(weight.isFinite && weight > 0) {
                throw .invalidProfile(name: name, reason: "the weight of \(placeholder) '\(value)' must be a positive number")
            }
        }
    }

    /// The weight used for a value: declared or learned, clamped to the bounds; 1 when not mentioned.
    public func weight(placeholder: String, value: String) -> Double {
        bounds.clamp(placeholderWeights[placeholder]?[value] ?? 1)
    }

    /// The probability of each of `values`, mixing the weighted choice with a uniform one (see
    /// `PreferenceBounds`). Values the profile does not mention count with weight 1.
    public func probabilities(forPlaceholder placeholder: String, values: [String]) -> [Double] {
        guard !values.isEmpty else { return [] }
        let weights = values.map { weight(placeholder: placeholder, value: $0) }
        let total = weights.reduce(0, +)
        let share = bounds.uniformShare
        let uniform = 1 / Double(values.count)
        return weights.map { (1 - share) * $0 / total + share * uniform }
    }

    /// The profile after one rated image: the values it used gain weight for a 4 or 5, lose it for a 1 or 2.
    public func learning(fromRating rating: Int, placeholderValues: [String: String]) throws(PreferenceProfileError) -> PreferenceProfile {
        guard (1...5).contains(rating) else { throw .ratingOutOfRange(rating) }
        return try learning(fromScore: Double(rating - 1) / 4, placeholderValues: placeholderValues)
    }

    /// The profile after one scored image (score normalised to 0...1, 0.5 neutral): each value used is
    /// multiplied by `exp(learningRate · (2·score − 1))` and clamped to the bounds.
    public func learning(fromScore score: Double, placeholderValues: [String: String]) throws(PreferenceProfileError) -> PreferenceProfile {
        guard score.isFinite, (0...1).contains(score) else { throw .scoreOutOfRange(score) }
        var copy = self
        let factor = Foundation.exp(learningRate * (2 * score - 1))
        for (placeholder, value) in placeholderValues {
            let updated = bounds.clamp(weight(placeholder: placeholder, value: value) * factor)
            copy.placeholderWeights[placeholder, default: [:]][value] = updated
        }
        return copy
    }

    enum CodingKeys: String, CodingKey {
        case name, description
        case placeholderWeights = "placeholders"
        case parameters, bounds
        case learningRate = "learning_rate"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        placeholderWeights = try container.decodeIfPresent([String: [String: Double]].self, forKey: .placeholderWeights) ?? [:]
        parameters = try container.decodeIfPresent(ParameterPreferences.self, forKey: .parameters) ?? ParameterPreferences()
        bounds = try container.decodeIfPresent(PreferenceBounds.self, forKey: .bounds) ?? .standard
        learningRate = try container.decodeIfPresent(Double.self, forKey: .learningRate) ?? Self.defaultLearningRate
    }
}
