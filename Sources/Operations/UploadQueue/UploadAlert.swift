import Foundation

/// Something an operator should hear about from the upload queue.
///
/// Raised through an `UploadAlertHandler` closure, so the alerting module (rules, dedup, sinks) can
/// take them without this module depending on it; without a handler they are logged as warnings.
package enum UploadAlert: Sendable, Equatable {
    /// More than `alert_pending_count` files wait, or the oldest has waited longer than
    /// `alert_pending_minutes`. Raised once when the condition starts.
    case backlog(waiting: Int, oldestWaitingSince: Date?)
    /// The backlog condition no longer holds.
    case backlogCleared
    /// A file was given up on: an error waiting cannot fix, or `max_attempts` used.
    case fileFailed(filePath: String, attempts: Int, error: String)

    package var message: String {
        switch self {
        case let .backlog(waiting, oldest):
            let age = oldest.map { " (the oldest queued \(Int(Date().timeIntervalSince($0) / 60)) min ago)" } ?? ""
            return "upload queue backing up: \(waiting) file(s) waiting\(age); check the storage endpoint and "
                + "credentials, and `imagegen storage status`"
        case .backlogCleared:
            return "upload queue back to normal"
        case let .fileFailed(path, attempts, error):
            return "upload of \(path) failed after \(attempts) attempt(s): \(error). Fix the cause, then run `imagegen storage sync`"
        }
    }
}

package typealias UploadAlertHandler = @Sendable (UploadAlert) -> Void
