import Foundation
import Catalog
import ImagegenCore
import Pipeline

/// Runs a maintenance slot (post-processing and organisation of the day's images).
public typealias MaintenanceAction = @Sendable (SlotRun) async throws -> Void

/// The configured plan wired to this host: its schedule, the slot-run store and the
/// job queue. `imagegen plan …` uses it directly; `OperationsLoop` runs its scheduler in serve.
public struct PlanService: Sendable {
    public let configuration: PlanConfiguration
    public let schedule: PlanSchedule
    public let store: any SlotRunStore & SchedulerStartStore
    public let queue: PlanJobQueue
    let log: Log

    /// Reads the plan from the host's config (or the product default) over `slotRuns` (the
    /// catalog's, opened by the entry point).
    public init(service: GenerationService, templates: TemplateStore, slotRuns: any SlotRunStore & SchedulerStartStore,
                wake: @escaping @Sendable () async -> Void = {}) throws {
        let configuration = try PlanConfiguration(configuration: service.runtime.configuration)
        self.configuration = configuration
        schedule = try PlanSchedule(plan: configuration.plan)
        store = slotRuns
        queue = PlanJobQueue(service: service, templates: templates, wake: wake)
        log = service.runtime.log
    }

    /// The plan's scheduler over the slot-run store.
    ///
    /// Occurrences that started before the plan's first start on this catalog are ignored (a fresh
    /// install does not record a morning of missed slots); later ones are run, caught up within the
    /// grace period, or recorded missed.
    public func scheduler(clock: any WallClock = SystemWallClock(), maintenance: MaintenanceAction? = nil,
                          onEvent: @escaping @Sendable (SchedulerEvent) async -> Void = { _ in },
                          maxAttempts: Int = 5) throws -> PlanScheduler {
        let queue = self.queue
        let log = self.log
        let installedAt = try store.firstStart(now: clock.now)
        return PlanScheduler(
            schedule: schedule, store: store, clock: clock,
            actions: SlotActions(
                queueJobs: { try await queue.queue($0) },
                budgetFit: { try queue.budgetFit($0) },
                runMaintenance: maintenance ?? { run in
                    log.info("maintenance slot \(run.slotID) (\(run.occurrenceKey)): no post-processing pipeline is installed on this host, nothing to do")
                },
                onEvent: onEvent),
            options: .init(notBefore: installedAt, maxAttempts: maxAttempts))
    }
}
