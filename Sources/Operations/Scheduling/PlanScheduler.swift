import Foundation
import Catalog

/// Runs a plan exactly once per occurrence, with the slot-run store as the only truth.
///
/// On every `tick()` (the serve loop calls it at start and then at least every minute, or at
/// `nextWakeUp()`):
/// 1. runs recorded as `claimed` (a previous tick or process stopped before confirming them) are
///    resumed: their *recorded* jobs are queued again under the same idempotency keys;
/// 2. every occurrence started since `now − lookback` that has no record is decided by
///    `OccurrenceDecision`: run (scheduled or catch-up), or record as `missed`;
/// 3. a run is planned (count resolved by the occurrence seed, templates assigned, budget asked),
///    **recorded as `claimed` with its planned jobs before anything is queued**, then queued, then
///    marked `queued` with the job ids.
///
/// Crash before the record: nothing happened, the next start plans it again. Crash after the
/// record: the next start finds it claimed and replays the same requests; the queue's idempotency
/// keys turn a replay of already-queued jobs into a no-op. So no occurrence runs twice and none is
/// lost while within its grace period.
public actor PlanScheduler {
    /// Tunables besides the plan's own catch-up grace.
    public struct Options: Sendable {
        /// How far back a tick looks for occurrences without a record (to record them missed).
        public var lookback: TimeInterval
        /// Occurrences starting before this instant are ignored (e.g. when the plan was installed),
        /// so a fresh install does not record a morning of "missed" slots.
        public var notBefore: Date?
        /// Failed queue/maintenance attempts before a run is marked `failed`.
        public var maxAttempts: Int

        public init(lookback: TimeInterval = 2 * 86_400, notBefore: Date? = nil, maxAttempts: Int = 5) {
            self.lookback = lookback
            self.notBefore = notBefore
            self.maxAttempts = maxAttempts
        }
    }

    private var schedule: PlanSchedule
    private let store: any SlotRunStore
    private let clock: any WallClock
    private let actions: SlotActions
    private let options: Options
    /// Occurrence keys being executed by this actor right now (actor reentrancy across awaits).
    private var inFlight: Set<String> = []

    public init(schedule: PlanSchedule, store: any SlotRunStore, clock: any WallClock, actions: SlotActions,
                options: Options = Options()) {
        self.schedule = schedule
        self.store = store
        self.clock = clock
        self.actions = actions
        self.options = options
    }

    /// Swaps in a new plan (config reload). Recorded runs are untouched; keys of unchanged slots stay the same.
    public func replace(schedule: PlanSchedule) { self.schedule = schedule }

    /// The plan in force.
    public var currentSchedule: PlanSchedule { schedule }

    /// The occurrences of the coming `days` local days that have not ended (for `imagegen plan`).
    public func upcoming(days: Int) -> [SlotOccurrence] { schedule.upcoming(from: clock.now, days: days) }

    /// When the loop should tick next at the latest: the next slot start (nil if none within 8 days).
    public func nextWakeUp() -> Date? { schedule.nextStart(after: clock.now) }

    /// The serve loop's scheduler task: ticks now, then sleeps until the next slot start or
    /// `maxSleep` seconds, whichever comes first, until the task is cancelled. The regular ticks
    /// also retry claimed runs whose queuing failed and notice a clock that jumped.
    /// - Parameter mayRun: asked before each tick; false skips it (another host runs the plan).
    public func runUntilCancelled(maxSleep: TimeInterval = 30, mayRun: @Sendable () -> Bool = { true }) async {
        while !Task.isCancelled {
            if mayRun() { await tick() }
            let now = clock.now
            let wait = min(max(nextWakeUp()?.timeIntervalSince(now) ?? maxSleep, 0.05), maxSleep)
            do { try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000)) } catch { return }
        }
    }

    /// One pass of the state machine. Returns the events it produced (also sent to `actions.onEvent`).
    @discardableResult
    public func tick() async -> [SchedulerEvent] {
        var events: [SchedulerEvent] = []
        // 1. Resume runs claimed but not confirmed.
        do {
            for run in try store.runs(status: .claimed) where !inFlight.contains(run.occurrenceKey) {
                events += await execute(run)
            }
        } catch {
            events.append(await emit(.storeUnavailable("listing claimed slot runs: \(error)")))
        }
        // 2. Occurrences without a record.
        let now = clock.now
        var from = now.addingTimeInterval(-options.lookback)
        if let notBefore = options.notBefore, notBefore > from { from = notBefore }
        for occurrence in schedule.occurrences(startingFrom: from, through: now)
        where !inFlight.contains(occurrence.occurrenceKey) {
            do {
                guard try store.run(occurrenceKey: occurrence.occurrenceKey) == nil else { continue }
            } catch {
                events.append(await emit(.storeUnavailable("reading \(occurrence.occurrenceKey): \(error)")))
                continue
            }
            switch OccurrenceDecision.decide(start: occurrence.start, end: occurrence.end, now: clock.now,
                                             grace: schedule.catchUpGrace) {
            case .notYet:
                continue
            case .missed:
                events += await recordMissed(occurrence)
            case let .run(trigger):
                events += await start(occurrence, trigger: trigger)
            }
        }
        return events
    }

    /// Runs a slot now, outside its schedule (`imagegen plan run SLOT`). With the same
    /// `requestID` a repeated call returns the first run instead of running again.
    public func runNow(slotID: String, requestID: String? = nil) async throws(PlanSchedulerError) -> SlotRun {
        guard let slot = schedule.slot(id: slotID) else { throw .unknownSlot(slotID) }
        let now = clock.now
        let id = requestID ?? Self.compactTimestamp(now)
        guard !id.isEmpty, id.count <= 64,
              id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw .invalidRequestID(id)
        }
        let date = schedule.localDate(of: now)
        let occurrence = SlotOccurrence(slot: slot, localDate: date, occurrenceKey: "\(slot.id)@manual-\(id)",
                                        start: now, end: now, startResolution: .exact)
        do {
            if let existing = try store.run(occurrenceKey: occurrence.occurrenceKey) {
                if existing.status == .claimed, !inFlight.contains(existing.occurrenceKey) { _ = await execute(existing) }
                return try store.run(occurrenceKey: occurrence.occurrenceKey) ?? existing
            }
        } catch {
            throw .store(String(describing: error))
        }
        _ = await start(occurrence, trigger: .manual)
        do {
            guard let run = try store.run(occurrenceKey: occurrence.occurrenceKey) else {
                throw PlanSchedulerError.store("the run for \(occurrence.occurrenceKey) was not recorded")
            }
            return run
        } catch let error as PlanSchedulerError {
            throw error
        } catch {
            throw .store(String(describing: error))
        }
    }

    // MARK: - Steps

    private func recordMissed(_ occurrence: SlotOccurrence) async -> [SchedulerEvent] {
        let now = clock.now
        var run = Self.newRun(occurrence, trigger: .scheduled, status: .missed, at: now)
        run.requestedCount = occurrence.slot.count.map { $0.resolve(seed: OccurrenceSeed(key: occurrence.occurrenceKey)) } ?? 0
        run.lastError = "host was not running between \(occurrence.start) and the end of the grace period"
        do {
            guard try store.insertIfAbsent(run) else { return [] }
        } catch {
            return [await emit(.storeUnavailable("recording \(occurrence.occurrenceKey) as missed: \(error)"))]
        }
        return [await emit(.missed(run))]
    }

    private func start(_ occurrence: SlotOccurrence, trigger: SlotRunTrigger) async -> [SchedulerEvent] {
        let key = occurrence.occurrenceKey
        inFlight.insert(key)
        defer { inFlight.remove(key) }
        let slot = occurrence.slot
        var run = Self.newRun(occurrence, trigger: trigger, status: .claimed, at: clock.now)
        if slot.kind == .generate, let count = slot.count, let templates = slot.templates, let category = slot.category {
            let seed = OccurrenceSeed(key: key)
            let requested = count.resolve(seed: seed)
            let requests = zip(1..., templates.assign(count: requested, seed: seed)).map { index, template in
                SlotJobRequest(idempotencyKey: "\(key)#\(index)", occurrenceKey: key, slotID: slot.id, index: index,
                               category: category, template: template, model: slot.model, profile: slot.profile)
            }
            let fit: BudgetFit
            do {
                fit = requests.isEmpty ? .all(0) : try await actions.budgetFit(requests)
            } catch {
                // Nothing recorded: the next tick asks again (the occurrence is still due or catch-up).
                return [await emit(.storeUnavailable("budget check for \(key) failed: \(error)"))]
            }
            let fitting = min(max(fit.count, 0), requests.count)
            run.requestedCount = requested
            run.plannedJobs = Array(requests.prefix(fitting))
            run.skippedCount = requests.count - fitting
            if run.skippedCount > 0 {
                run.skipReason = fit.reason ?? "the budget allows \(fitting) of \(requests.count) images"
            }
            if fitting == 0 { run.status = .skipped }
        }
        do {
            guard try store.insertIfAbsent(run) else { return [] }  // another scheduler claimed it first
        } catch {
            return [await emit(.storeUnavailable("recording \(key): \(error)"))]
        }
        if run.status == .skipped { return [await emit(.skipped(run))] }
        return await execute(run, alreadyInFlight: true)
    }

    /// Carries a claimed run to its final state (or leaves it claimed for the next tick after a failure).
    private func execute(_ claimed: SlotRun, alreadyInFlight: Bool = false) async -> [SchedulerEvent] {
        let key = claimed.occurrenceKey
        if !alreadyInFlight {
            inFlight.insert(key)
        }
        defer { if !alreadyInFlight { inFlight.remove(key) } }
        var run = claimed
        do {
            if run.kind == .maintenance {
                try await actions.runMaintenance(run)
                run.status = .completed
            } else {
                run.jobIDs = try await actions.queueJobs(run.plannedJobs)
                run.status = .queued
            }
            run.lastError = nil
        } catch {
            run.attempts += 1
            run.lastError = String(describing: error)
            if run.attempts >= options.maxAttempts { run.status = .failed }
        }
        run.updatedAt = clock.now
        do {
            // Another scheduler (another host, or a process draining) confirmed this run first: it reports it.
            guard try store.update(run, from: .claimed) else { return [] }
        } catch {
            return [await emit(.storeUnavailable("updating \(key) to \(run.status.rawValue): \(error)"))]
        }
        switch run.status {
        case .queued: return [await emit(.queued(run))]
        case .completed: return [await emit(.maintenanceCompleted(run))]
        case .failed: return [await emit(.failed(run))]
        default: return [await emit(.attemptFailed(run, error: run.lastError ?? "unknown error"))]
        }
    }

    private func emit(_ event: SchedulerEvent) async -> SchedulerEvent {
        await actions.onEvent(event)
        return event
    }

    private static func newRun(_ occurrence: SlotOccurrence, trigger: SlotRunTrigger, status: SlotRunStatus,
                               at now: Date) -> SlotRun {
        SlotRun(occurrenceKey: occurrence.occurrenceKey, slotID: occurrence.slotID, kind: occurrence.slot.kind,
                scheduledStart: occurrence.start, scheduledEnd: occurrence.end, trigger: trigger, status: status,
                recordedAt: now)
    }

    private static func compactTimestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
