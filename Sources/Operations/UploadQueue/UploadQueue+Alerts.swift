import Foundation
import Catalog

extension UploadQueue {
    /// The queue as the alert engine reads it (`AlertInputs.uploadQueues`, checked by
    /// `UploadBacklogRule`): files waiting (pending or in flight) and the oldest one's queueing time.
    /// `destination` names the store in the alert, e.g. `s3://bucket/prefix`.
    package func alertStatus(destination: String, now: Date = Date()) throws -> UploadQueueStatus {
        let summary = try summary(now: now)
        return UploadQueueStatus(destination: destination, pending: summary.waiting, oldestEnqueuedAt: summary.oldestWaitingSince)
    }
}

extension UploadAlert {
    /// The rule name of a given-up file in the alerting module's terms.
    package static let fileFailedRule = "UploadFailed"

    /// A given-up file as a fired alert (`UploadFailed/<file path>`, warning) for the alert sinks
    /// (`AlertDispatcher`). Backlog alerts return nil: with the alert engine running, they come from
    /// `UploadBacklogRule` over `UploadQueue.alertStatus`, which also resolves them.
    package func alertTransition(at date: Date) -> AlertTransition? {
        guard case .fileFailed(let path, _, _) = self else { return nil }
        let condition = AlertCondition(rule: Self.fileFailedRule, subject: path, severity: .warning, message: message)
        return .fired(Alert(condition, startedAt: date))
    }
}
