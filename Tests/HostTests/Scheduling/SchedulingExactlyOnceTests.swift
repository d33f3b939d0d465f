import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import ImagegenTestSupport
@testable import Operations

/// Restarts are simulated by dropping a `PlanScheduler` and building a new one over the same store
/// and job queue, which is what a process restart leaves behind.
final class SchedulingExactlyOnceTests: XCTestCase {
    // Wednesday 2026-11-25, 06:00 Paris = 05:00 UTC.
    private let slotStart = schedulingInstant("2026-11-25T05:00:00Z")
    private let key = "daily/lingerie@2026-11-25"

    private func makeScheduler(_ store: any SlotRunStore, _ queue: SchedulingFakeJobQueue, _ clock: ManualWallClock,
                               plan: GenerationPlan = schedulingTestPlan(count: ImageCount(exactly: 3)),
                               events: SchedulingEventLog = SchedulingEventLog(),
                               budget: (@Sendable ([SlotJobRequest]) async throws -> BudgetFit)? = nil,
                               maintenance: (@Sendable (SlotRun) async throws -> Void)? = nil,
                               maxAttempts: Int = 5) throws -> PlanScheduler {
        PlanScheduler(
            schedule: try PlanSchedule(plan: plan), store: store, clock: clock,
            actions: SlotActions(queueJobs: { try queue.queue($0) },
                                 budgetFit: budget ?? { .all($0.count) },
                                 runMaintenance: maintenance ?? { _ in },
                                 onEvent: { events.append($0) }),
            options: .init(notBefore: schedulingInstant("2026-11-25T00:00:00Z"), maxAttempts: maxAttempts))
    }

    func testOnTimeRunRecordsThenQueuesOnce() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(slotStart.addingTimeInterval(-60))
        let scheduler = try makeScheduler(store, queue, clock)
        await scheduler.tick()
        XCTAssertEqual(queue.jobCount, 0, "nothing before the slot starts")
        clock.set(slotStart.addingTimeInterval(5))
        await scheduler.tick()
        await scheduler.tick()
        clock.advance(by: 600)
        await scheduler.tick()
        XCTAssertEqual(queue.jobCount, 3)
        XCTAssertEqual(queue.calls, 1)
        let run = try XCTUnwrap(store.run(occurrenceKey: key))
        XCTAssertEqual(run.status, .queued)
        XCTAssertEqual(run.trigger, .scheduled)
        XCTAssertEqual(run.jobIDs.count, 3)
        XCTAssertEqual(run.plannedJobs.map(\.idempotencyKey), ["\(key)#1", "\(key)#2", "\(key)#3"])
        XCTAssertEqual(Set(run.plannedJobs.map(\.template)), ["lingerie_black_lace", "lingerie_red_satin"])
    }

    func testCrashBeforeRecordRunsOnceAfterRestart() async throws {
        let base = InMemorySlotRunStore(), faulty = SchedulingFaultyStore(base), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        faulty.failInserts(1)
        let first = try makeScheduler(faulty, queue, clock)
        let events = await first.tick()
        XCTAssertTrue(events.contains { if case .storeUnavailable = $0 { return true } else { return false } })
        XCTAssertEqual(queue.jobCount, 0, "nothing may be queued when the record could not be written")
        XCTAssertNil(try base.run(occurrenceKey: key))
        // Restart.
        clock.advance(by: 60)
        let second = try makeScheduler(faulty, queue, clock)
        await second.tick()
        await second.tick()
        XCTAssertEqual(queue.jobCount, 3)
        XCTAssertEqual(try base.run(occurrenceKey: key)?.status, .queued)
    }

    func testCrashAfterRecordBeforeQueueResumesTheRecordedJobs() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        queue.failNext(1)  // the process "dies" inside queueJobs before anything is queued
        let first = try makeScheduler(store, queue, clock)
        await first.tick()
        let claimed = try XCTUnwrap(store.run(occurrenceKey: key))
        XCTAssertEqual(claimed.status, .claimed)
        XCTAssertEqual(claimed.plannedJobs.count, 3)
        XCTAssertEqual(queue.jobCount, 0)
        // Restart well after the slot and its grace: a claimed run is still completed, not missed.
        clock.advance(by: 3 * 3600)
        let second = try makeScheduler(store, queue, clock)
        await second.tick()
        XCTAssertEqual(queue.jobCount, 3)
        XCTAssertEqual(queue.requests.map(\.idempotencyKey), claimed.plannedJobs.map(\.idempotencyKey))
        XCTAssertEqual(try store.run(occurrenceKey: key)?.status, .queued)
        await second.tick()
        XCTAssertEqual(queue.jobCount, 3)
    }

    func testCrashAfterQueueBeforeMarkingDoesNotQueueTwice() async throws {
        let base = InMemorySlotRunStore(), faulty = SchedulingFaultyStore(base), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        faulty.failUpdates(1)  // jobs are queued, then the process dies before recording it
        let first = try makeScheduler(faulty, queue, clock)
        await first.tick()
        XCTAssertEqual(queue.jobCount, 3)
        XCTAssertEqual(try base.run(occurrenceKey: key)?.status, .claimed)
        clock.advance(by: 120)
        let second = try makeScheduler(faulty, queue, clock)
        await second.tick()
        XCTAssertEqual(queue.jobCount, 3, "the replay hits the same idempotency keys")
        XCTAssertEqual(queue.calls, 2)
        let run = try XCTUnwrap(base.run(occurrenceKey: key))
        XCTAssertEqual(run.status, .queued)
        XCTAssertEqual(run.jobIDs, ["job-1", "job-2", "job-3"])
    }

    func testCrashInsideQueueAfterEnqueueDoesNotQueueTwice() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        queue.crashAfterEnqueueNext(1)
        try await makeScheduler(store, queue, clock).tick()
        XCTAssertEqual(queue.jobCount, 3)
        XCTAssertEqual(try store.run(occurrenceKey: key)?.status, .claimed)
        try await makeScheduler(store, queue, clock).tick()
        XCTAssertEqual(queue.jobCount, 3)
        XCTAssertEqual(try store.run(occurrenceKey: key)?.status, .queued)
    }

    func testRestartAfterCompletionQueuesNothing() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        try await makeScheduler(store, queue, clock).tick()
        for minutes in [1.0, 20, 45, 200] {
            clock.set(slotStart.addingTimeInterval(minutes * 60))
            try await makeScheduler(store, queue, clock).tick()
        }
        XCTAssertEqual(queue.jobCount, 3)
        XCTAssertEqual(queue.calls, 1)
    }

    func testTwoSchedulersOnOneStoreRunItOnce() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        let a = try makeScheduler(store, queue, clock), b = try makeScheduler(store, queue, clock)
        async let x = a.tick()
        async let y = b.tick()
        _ = await (x, y)
        XCTAssertEqual(queue.jobCount, 3)
    }

    func testCatchUpWithinGraceAndMissedAfterIt() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue(), events = SchedulingEventLog()
        // Host comes up at 08:10 Paris (07:10 UTC): the lingerie slot (06:00–06:30) ended 1 h 40 min ago,
        // beyond 60 min of grace → missed; the organise slot (07:30–08:00) ended 10 min ago → catch-up.
        let clock = ManualWallClock(schedulingInstant("2026-11-25T07:10:00Z"))
        var maintained: [String] = []
        let done = SchedulingEventLog()
        let scheduler = try makeScheduler(store, queue, clock, events: events, maintenance: { run in
            done.append(.maintenanceCompleted(run))
        })
        await scheduler.tick()
        maintained = done.all.compactMap { $0.run?.occurrenceKey }
        XCTAssertEqual(queue.jobCount, 0)
        XCTAssertEqual(events.missedKeys, [key])
        let missed = try XCTUnwrap(store.run(occurrenceKey: key))
        XCTAssertEqual(missed.status, .missed)
        XCTAssertEqual(missed.requestedCount, 3)
        XCTAssertEqual(maintained, ["daily/organise@2026-11-25"])
        let organise = try XCTUnwrap(store.run(occurrenceKey: "daily/organise@2026-11-25"))
        XCTAssertEqual(organise.trigger, .catchUp)
        XCTAssertEqual(organise.status, .completed)
        // A missed occurrence is never run later and never reported twice.
        await scheduler.tick()
        XCTAssertEqual(events.missedKeys, [key])
        XCTAssertEqual(queue.jobCount, 0)
    }

    func testCatchUpJustInsideGraceQueues() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue()
        // Slot ends 05:30 UTC; grace 60 min → 06:30 UTC is the last moment.
        let clock = ManualWallClock(schedulingInstant("2026-11-25T06:30:00Z"))
        try await makeScheduler(store, queue, clock).tick()
        XCTAssertEqual(try store.run(occurrenceKey: key)?.trigger, .catchUp)
        XCTAssertEqual(queue.jobCount, 3)
        XCTAssertEqual(OccurrenceDecision.decide(start: slotStart, end: slotStart.addingTimeInterval(1800),
                                                 now: schedulingInstant("2026-11-25T06:30:01Z"), grace: 3600), .missed)
    }

    func testNotBeforeSuppressesMissedOnAFreshInstall() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue(), events = SchedulingEventLog()
        let clock = ManualWallClock(schedulingInstant("2026-11-25T12:00:00Z"))
        let scheduler = PlanScheduler(
            schedule: try PlanSchedule(plan: schedulingTestPlan()), store: store, clock: clock,
            actions: SlotActions(queueJobs: { try queue.queue($0) }, onEvent: { events.append($0) }),
            options: .init(notBefore: clock.now))
        await scheduler.tick()
        XCTAssertTrue(store.all.isEmpty)
        XCTAssertTrue(events.all.isEmpty)
    }

    func testBudgetRunsWhatFitsAndRecordsTheRest() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        let scheduler = try makeScheduler(store, queue, clock, budget: { requests in
            BudgetFit(count: 2, reason: "daily budget 1.00 USD: 0.50 spent, 0.25 per image → 2 of \(requests.count)")
        })
        await scheduler.tick()
        let run = try XCTUnwrap(store.run(occurrenceKey: key))
        XCTAssertEqual(run.status, .queued)
        XCTAssertEqual(run.requestedCount, 3)
        XCTAssertEqual(run.plannedJobs.count, 2)
        XCTAssertEqual(run.skippedCount, 1)
        XCTAssertEqual(run.skipReason, "daily budget 1.00 USD: 0.50 spent, 0.25 per image → 2 of 3")
        XCTAssertEqual(queue.jobCount, 2)
    }

    func testBudgetExhaustedRecordsSkippedWithoutQueuing() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue(), events = SchedulingEventLog()
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        let scheduler = try makeScheduler(store, queue, clock, events: events, budget: { _ in BudgetFit(count: 0) })
        await scheduler.tick()
        let run = try XCTUnwrap(store.run(occurrenceKey: key))
        XCTAssertEqual(run.status, .skipped)
        XCTAssertEqual(run.skippedCount, 3)
        XCTAssertEqual(run.skipReason, "the budget allows 0 of 3 images")
        XCTAssertEqual(queue.calls, 0)
        XCTAssertTrue(events.all.contains(.skipped(run)))
        await scheduler.tick()
        XCTAssertEqual(queue.calls, 0, "a skipped occurrence is final")
    }

    func testRepeatedQueueFailuresEndAsFailed() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue(), events = SchedulingEventLog()
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        queue.failNext(10)
        let scheduler = try makeScheduler(store, queue, clock, events: events, maxAttempts: 3)
        for _ in 0..<5 { await scheduler.tick(); clock.advance(by: 60) }
        let run = try XCTUnwrap(store.run(occurrenceKey: key))
        XCTAssertEqual(run.status, .failed)
        XCTAssertEqual(run.attempts, 3)
        XCTAssertEqual(run.lastError, "simulated crash")
        XCTAssertEqual(queue.calls, 3)
        XCTAssertEqual(events.all.filter { if case .failed = $0 { return true } else { return false } }.count, 1)
    }

    func testRunNowIsIdempotentPerRequestID() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(schedulingInstant("2026-11-25T14:00:00Z"))
        let scheduler = try makeScheduler(store, queue, clock)
        let run = try await scheduler.runNow(slotID: "daily/lingerie", requestID: "cli-42")
        XCTAssertEqual(run.occurrenceKey, "daily/lingerie@manual-cli-42")
        XCTAssertEqual(run.trigger, .manual)
        XCTAssertEqual(run.status, .queued)
        let again = try await scheduler.runNow(slotID: "daily/lingerie", requestID: "cli-42")
        XCTAssertEqual(again.occurrenceKey, run.occurrenceKey)
        XCTAssertEqual(queue.jobCount, 3)
        let other = try await scheduler.runNow(slotID: "daily/lingerie")
        XCTAssertEqual(other.occurrenceKey, "daily/lingerie@manual-20261125T140000Z")
        XCTAssertEqual(queue.jobCount, 6)
        do {
            _ = try await scheduler.runNow(slotID: "nope")
            XCTFail("unknown slot must be refused")
        } catch {
            XCTAssertEqual(error, .unknownSlot("nope"))
        }
    }

    func testHistoryIsNewestFirst() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        let scheduler = try makeScheduler(store, queue, clock)
        await scheduler.tick()
        clock.set(schedulingInstant("2026-11-25T06:35:00Z"))
        await scheduler.tick()
        XCTAssertEqual(try store.history(since: nil, limit: 10).map(\.occurrenceKey),
                       ["daily/organise@2026-11-25", key])
        XCTAssertEqual(try store.history(since: nil, limit: 1).count, 1)
        let wake = await scheduler.nextWakeUp()
        XCTAssertEqual(wake, schedulingInstant("2026-11-26T05:00:00Z"))
    }
}

final class SchedulingRunLoopTests: XCTestCase {
    func testRunLoopTicksAndStopsOnCancellation() async throws {
        let store = InMemorySlotRunStore(), queue = SchedulingFakeJobQueue()
        let clock = ManualWallClock(schedulingInstant("2026-11-25T05:00:10Z"))
        let scheduler = PlanScheduler(schedule: try PlanSchedule(plan: schedulingTestPlan(count: ImageCount(exactly: 2))),
                                      store: store, clock: clock,
                                      actions: SlotActions(queueJobs: { try queue.queue($0) }),
                                      options: .init(notBefore: schedulingInstant("2026-11-25T00:00:00Z")))
        let task = Task { await scheduler.runUntilCancelled(maxSleep: 0.05) }
        // Wait (bounded) for the first tick to queue the running slot.
        for _ in 0..<200 where queue.jobCount < 2 { try await Task.sleep(nanoseconds: 10_000_000) }
        task.cancel()
        await task.value
        XCTAssertEqual(queue.jobCount, 2)
        XCTAssertEqual(queue.calls, 1, "later ticks find the run recorded")
    }
}
