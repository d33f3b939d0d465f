/// What is known about one experiment: a tally per arm, in the template's arm order.
///
/// A plain value the catalog can rebuild at any time from its images (`init(template:assignments:outcomes:)`)
/// or keep up to date incrementally (`recordAssignment`, `record`).
package struct ExperimentState: Codable, Sendable, Hashable {
    /// The experiment's template.
    package var template: String
    package var tallies: [ArmTally]

    /// A fresh experiment with no assignments or outcomes.
    package init(template: PromptTemplate) throws(ExperimentError) {
        guard let experiment = template.experiment else { throw .notAnExperiment(template: template.name) }
        self.template = template.name
        tallies = experiment.arms.map { ArmTally(arm: $0.name) }
    }

    /// Rebuilds the state from the catalog: images per arm, and one outcome per scored image. Outcomes of
    /// arms the template no longer has (a removed arm) are ignored.
    package init(template: PromptTemplate, assignments: [String: Int], outcomes: [ExperimentOutcome],
                scoring: OutcomeScoring = .standard) throws(ExperimentError) {
        try self.init(template: template)
        for index in tallies.indices {
            tallies[index].assignments = assignments[tallies[index].arm] ?? 0
        }
        for outcome in outcomes where tallies.contains(where: { $0.arm == outcome.arm }) {
            try record(outcome, scoring: scoring)
        }
    }

    package var armNames: [String] { tallies.map(\.arm) }

    package func tally(of arm: String) -> ArmTally? {
        tallies.first { $0.arm == arm }
    }

    package mutating func recordAssignment(of arm: String) throws(ExperimentError) {
        let index = try tallyIndex(arm)
        tallies[index].assignments += 1
    }

    /// Adds one image's outcome (an image without rating or score adds nothing).
    package mutating func record(_ outcome: ExperimentOutcome, scoring: OutcomeScoring = .standard) throws(ExperimentError) {
        let index = try tallyIndex(outcome.arm)
        guard let score = try scoring.score(rating: outcome.rating, qualityScore: outcome.qualityScore) else { return }
        tallies[index].outcomes += 1
        tallies[index].scoreSum += score
        if let rating = outcome.rating {
            tallies[index].ratingSum += rating
            tallies[index].ratingCount += 1
        }
    }

    private func tallyIndex(_ arm: String) throws(ExperimentError) -> Int {
        guard let index = tallies.firstIndex(where: { $0.arm == arm }) else {
            throw .unknownArm(template: template, arm: arm, known: armNames)
        }
        return index
    }
}
