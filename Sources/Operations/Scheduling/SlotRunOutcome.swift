import Foundation
import Catalog
import ImagegenCore

/// What a slot occurrence came to. The run's own status only says whether its jobs were queued
/// (`queued` stays forever once they are); from then on the jobs' states tell the truth, so
/// `plan history` shows `succeeded` for a slot whose jobs all succeeded, not `queued`.
package enum SlotRunOutcome: String, Sendable, Equatable, Encodable {
    case claimed, queued, running, succeeded, failed, completed, skipped, missed
    /// Some jobs succeeded, the others failed, were cancelled or content-filtered.
    case partlyFailed = "partly_failed"

    /// `jobs`: the catalog's jobs for `run.jobIDs` (a job the catalog no longer has is left out).
    package init(run: SlotRun, jobs: [Job]) {
        switch run.status {
        case .claimed: self = .claimed
        case .completed: self = .completed
        case .skipped: self = .skipped
        case .missed: self = .missed
        case .failed: self = .failed
        case .queued:
            let states = jobs.filter { run.jobIDs.contains($0.id) }.map(\.state)
            guard !states.isEmpty else { self = .queued; return }
            if states.contains(where: { !$0.isTerminal }) {
                self = states.allSatisfy { $0 == .queued } ? .queued : .running
            } else {
                let succeeded = states.filter { $0 == .succeeded }.count
                self = succeeded == states.count ? .succeeded : succeeded == 0 ? .failed : .partlyFailed
            }
        }
    }
}

/// One line of `plan history`: the run as recorded, plus its outcome (`outcome` in JSON).
package struct SlotRunHistoryEntry: Sendable, Encodable {
    package var run: SlotRun
    package var outcome: SlotRunOutcome

    package init(run: SlotRun, jobs: [Job]) {
        self.run = run
        outcome = SlotRunOutcome(run: run, jobs: jobs)
    }

    enum CodingKeys: String, CodingKey { case outcome }

    /// The run's own fields, with `outcome` beside them.
    package func encode(to encoder: Encoder) throws {
        try run.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(outcome, forKey: .outcome)
    }
}
