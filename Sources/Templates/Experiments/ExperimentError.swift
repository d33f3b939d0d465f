/// Why an experiment operation cannot be done.
package enum ExperimentError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAnExperiment(template: String)
    case unknownArm(template: String, arm: String, known: [String])
    case ratingOutOfRange(Int)
    case qualityScoreOutOfRange(Double)
    case invalidSettings(String)
    case edit(TemplateEditError)

    package var description: String {
        switch self {
        case .notAnExperiment(let template):
            return "template '\(template)' has no experiment; add experiment: { arms: [...] } to it first"
        case .unknownArm(let template, let arm, let known):
            return "experiment '\(template)' has no arm '\(arm)'; its arms are \(known.joined(separator: ", "))"
        case .ratingOutOfRange(let rating):
            return "rating \(rating) is outside 1...5; rate images from 1 (worst) to 5 (best)"
        case .qualityScoreOutOfRange(let score):
            return "quality score \(score) is outside 0...100"
        case .invalidSettings(let reason):
            return "invalid experiment settings: \(reason)"
        case .edit(let error):
            return error.description
        }
    }
}
