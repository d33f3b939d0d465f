import Catalog
/// What the scheduler asks of the rest of the host. `imagegen serve` wires these to the job
/// queue, the budgets, the post-processing pass and the alert/log plumbing.
public struct SlotActions: Sendable {
    /// Queues jobs and returns their ids in order. Must be idempotent on
    /// `SlotJobRequest.idempotencyKey`: a key already queued returns the existing job's id and
    /// creates nothing (this is what makes a restart between queuing and recording harmless).
    public var queueJobs: @Sendable ([SlotJobRequest]) async throws -> [String]
    /// How many of the requests fit the budgets right now (reserve nothing: the queue reserves on submit).
    public var budgetFit: @Sendable ([SlotJobRequest]) async throws -> BudgetFit
    /// Runs a maintenance slot (post-processing, organisation). Should be idempotent per
    /// occurrence key: a restart before the run is marked completed runs it again.
    public var runMaintenance: @Sendable (SlotRun) async throws -> Void
    /// Receives every event (missed slots feed the alerts; all of them the log and metrics).
    public var onEvent: @Sendable (SchedulerEvent) async -> Void

    public init(queueJobs: @escaping @Sendable ([SlotJobRequest]) async throws -> [String],
                budgetFit: @escaping @Sendable ([SlotJobRequest]) async throws -> BudgetFit = { .all($0.count) },
                runMaintenance: @escaping @Sendable (SlotRun) async throws -> Void = { _ in },
                onEvent: @escaping @Sendable (SchedulerEvent) async -> Void = { _ in }) {
        self.queueJobs = queueJobs
        self.budgetFit = budgetFit
        self.runMaintenance = runMaintenance
        self.onEvent = onEvent
    }
}
