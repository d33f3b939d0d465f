import Foundation
import ImagegenCore
import CloudStorage

/// How an `UploadWorker` paces itself; made from `StorageConfiguration` in production and tightened
/// by tests.
package struct UploadWorkerSettings: Sendable, Equatable {
    /// Uploads in flight at once.
    package var concurrency: Int
    package var retry: UploadRetrySchedule
    /// Queue sidecars of images found by `reconcile`.
    package var sidecars: Bool
    /// How long a claimed row may stay `uploading` before another process may take it over
    /// (only matters when the claiming process died and another runs on without the upload lock).
    package var lease: TimeInterval = 15 * 60
    /// The longest the worker sleeps without being woken (it also wakes on every new file).
    package var pollInterval: Duration = .seconds(2)
    package var backlogCount: Int
    package var backlogAge: TimeInterval

    package init(concurrency: Int, retry: UploadRetrySchedule, sidecars: Bool = true, backlogCount: Int = 500,
                backlogAge: TimeInterval = 30 * 60) {
        self.concurrency = max(1, concurrency)
        self.retry = retry
        self.sidecars = sidecars
        self.backlogCount = backlogCount
        self.backlogAge = backlogAge
    }

    package init(_ storage: StorageConfiguration) {
        self.init(concurrency: storage.concurrency,
                  retry: UploadRetrySchedule(baseSeconds: storage.retryBaseSeconds, maxSeconds: storage.retryMaxSeconds,
                                             maxAttempts: storage.maxAttempts),
                  sidecars: storage.sidecars, backlogCount: storage.alertPendingCount,
                  backlogAge: storage.alertPendingMinutes * 60)
    }
}
