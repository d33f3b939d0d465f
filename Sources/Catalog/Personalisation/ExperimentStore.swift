import Foundation
import Templates

/// The A/B experiments' evidence as the catalog holds it: which arm each image (and each job
/// still running) of a template took, and the rating or quality score of those judged.
public protocol ExperimentStore: Sendable {
    /// Per arm of `template`'s experiment: the images made plus the jobs still running
    /// (`assignments`, so arms keep taking turns), and one outcome per image that has a rating
    /// or a quality score. One consistent read.
    func experimentData(template: String) throws -> (assignments: [String: Int], outcomes: [ExperimentOutcome])
}
