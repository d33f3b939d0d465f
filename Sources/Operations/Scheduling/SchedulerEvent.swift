import Catalog
/// Something the scheduler did or failed to do, for the log, the metrics and the alerts.
public enum SchedulerEvent: Sendable, Hashable {
    /// A generate run's jobs are queued (possibly fewer than requested: see `skippedCount`).
    case queued(SlotRun)
    /// A maintenance run finished.
    case maintenanceCompleted(SlotRun)
    /// Nothing of the run fitted the budget.
    case skipped(SlotRun)
    /// The occurrence passed its grace period without running.
    case missed(SlotRun)
    /// Queuing or maintenance failed; the run stays claimed and is retried on the next tick.
    case attemptFailed(SlotRun, error: String)
    /// Queuing or maintenance failed `maxAttempts` times; the run is final as `failed`.
    case failed(SlotRun)
    /// The store could not be read or written; nothing was run for the affected occurrence.
    case storeUnavailable(String)

    /// The run concerned, when there is one.
    public var run: SlotRun? {
        switch self {
        case let .queued(r), let .maintenanceCompleted(r), let .skipped(r), let .missed(r),
             let .attemptFailed(r, _), let .failed(r):
            return r
        case .storeUnavailable:
            return nil
        }
    }
}
