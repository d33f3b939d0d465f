/// Why an experiment operation cannot be done.
package enum ExperimentError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAnExperiment(template: String)
    case unknownArm(template: String, arm: String, known: [String])
    case ratingOutOfRange(Int)
    case qualityScoreOutOfRange(Double)
    case invalidSettings(String)
    case edit(TemplateEditError)
    /// Some arm has fewer scored outcomes than promotion needs (`arms` and `counts` side by side).
    case sampleTooSmall(template: String, arms: [String], counts: [Int], minimum: Int)

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
        case let .sampleTooSmall(template, arms, counts, minimum):
            let have = zip(arms, counts).map { "\($0): \($1)" }.joined(separator: ", ")
            return "experiment '\(template)' has too few scored images to promote an arm (\(have)); promotion needs at least "
                + "\(minimum) per arm (metrics.report.min_arm_samples). Keep the experiment running, or pass --force to promote anyway"
        }
    }
}
