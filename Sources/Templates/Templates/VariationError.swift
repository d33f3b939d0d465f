/// Why a batch of variations cannot be produced.
package enum VariationError: Error, Sendable, Hashable, CustomStringConvertible {
    case countOutOfRange(requested: Int, allowed: ClosedRange<Int>)
    case notAnExperiment(template: String)
    case armCountMismatch(template: String, variations: Int, arms: Int)
    case unknownArm(template: String, arm: String, known: [String])

    package var description: String {
        switch self {
        case .countOutOfRange(let requested, let allowed):
            return "cannot make \(requested) variations: ask for \(allowed.lowerBound) to \(allowed.upperBound) per request"
        case .notAnExperiment(let template):
            return "template '\(template)' has no experiment, so no arm can be assigned; generate without arms"
        case .armCountMismatch(let template, let variations, let arms):
            return "template '\(template)': \(variations) variations need \(variations) arm assignments, got \(arms)"
        case .unknownArm(let template, let arm, let known):
            return "template '\(template)' has no arm '\(arm)'; its arms are \(known.joined(separator: ", "))"
        }
    }
}
