import Foundation
import ImagegenCore
import CloudStorage

/// How an `UploadWorker` paces itself; made from `StorageConfiguration` in production and tightened
/// by tests.
public struct UploadWorkerSettings: Sendable, Equatable {
    /// Uploads in flight at once.
    public var concurrency: Int
    public var retry: UploadRetrySchedule
    /// Queue sidecars of images found by `reconcile`.
    public var sidecars: Bool
    /// How long a claimed row may stay `uploading` before another process may take it over
    /// (only matters when the claiming process died and another runs on without the upload lock).
    public var lease: TimeInterval = 15 * 60
    /// The longest the worker sleeps without being woken (it also wakes on every new file).
    public var pollInterval: Duration = .seconds(2)
    public var backlogCount: Int
    public var backlogAge: TimeInterval

    public init(concurrency: Int, retry: UploadRetrySchedule, sidecars: Bool = true, backlogCount: Int = 500,
                backlogAge: TimeInterval = 30 * 60) {
        self.concurrency = max(1, concurrency)
        self.retry = retry
        self.sidecars = sidecars
        self.backlogCount = backlogCount
        self.backlogAge = backlogAge
    }

    public init(_ storage: StorageConfiguration) {
        self.init(concurrency: storage.concurrency,
                  retry: UploadRetrySchedule(baseSeconds: storage.retryBaseSeconds, maxSeconds: storage.retryMaxSeconds,
                                             maxAttempts: storage.maxAttempts),
                  sidecars: storage.sidecars, backlogCount: storage.alertPendingCount,
                  backlogAge: storage.alertPendingMinutes * 60)
    }
}
