import Foundation
import Synchronization
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import ImagegenTestSupport
@testable import Operations

/// Exactly-once through the real catalog: a slot's run stops in each phase (before its record,
/// after the record, in the middle of queuing, after queuing, while recording it queued, inside a
/// maintenance run), the "process" restarts (new catalog connection, new scheduler, new service),
/// and the occurrence ends with exactly its planned jobs in the catalog, each once.
final class OpsExactlyOnceTests: XCTestCase {
    // Wednesday 2026-11-25, UTC.
    private let slotStart = schedulingInstant("2026-11-25T06:00:00Z")
    private let occurrence = "daily/feet@2026-11-25"

    private let plan = GenerationPlan(timeZone: "UTC", catchUpGraceMinutes: 60, daily: DailyWindow(slots: [
        PlanSlot(id: "daily/feet", start: TimeOfDay(hour: 6, minute: 0)!, end: TimeOfDay(hour: 6, minute: 30)!,
                 category: "feet", templates: TemplateSelection(["feet_closeup"]), count: ImageCount(exactly: 3)),
        PlanSlot(id: "daily/organise", start: TimeOfDay(hour: 7, minute: 30)!, end: TimeOfDay(hour: 8, minute: 0)!,
                 kind: .maintenance),
    ]))

    /// Where the simulated process dies.
    enum Crash: String, CaseIterable {
        case beforeRecord, afterRecordBeforeQueue, midQueue, afterQueueBeforeConfirm, whileRecordingQueued, none
    }

    /// Armed crash points, each firing once.
    final class Faults: Sendable {
        private let armed = Mutex<Set<String>>([])
        func arm(_ name: String) { _ = armed.withLock { $0.insert(name) } }
        func take(_ name: String) -> Bool { armed.withLock { $0.remove(name) != nil } }
    }

    private func scheduler(_ phase: OpsPhase, _ store: any SlotRunStore, _ clock: ManualWallClock, _ faults: Faults,
                           maintenance: @escaping MaintenanceAction = { _ in }) throws -> PlanScheduler {
        let queue = phase.queue
        return PlanScheduler(
            schedule: try PlanSchedule(plan: plan), store: store, clock: clock,
            actions: SlotActions(
                queueJobs: { requests in
                    if faults.take("afterRecordBeforeQueue") { throw SchedulingSimulatedCrash() }
                    if faults.take("midQueue") {
                        _ = try await queue.queue(Array(requests.prefix(1)))
                        throw SchedulingSimulatedCrash()
                    }
                    let ids = try await queue.queue(requests)
                    if faults.take("afterQueueBeforeConfirm") { throw SchedulingSimulatedCrash() }
                    return ids
                },
                budgetFit: { try queue.budgetFit($0) },
                runMaintenance: maintenance),
            options: .init(notBefore: schedulingInstant("2026-11-25T00:00:00Z")))
    }

    private func runThrough(_ crash: Crash) async throws {
        let host = try OpsHost(label: "once-\(crash.rawValue)")
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        let faults = Faults()
        // First "process": dies at the crash point.
        do {
            let phase = try host.phase()
            let store = SchedulingFaultyStore(try CatalogSlotRunStore(catalog: phase.catalog))
            switch crash {
            case .beforeRecord: store.failInserts(1)
            case .whileRecordingQueued: store.failUpdates(1)
            case .none: break
            default: faults.arm(crash.rawValue)
            }
            _ = await try scheduler(phase, store, clock, faults).tick()
            let recorded = try CatalogSlotRunStore(catalog: phase.catalog).run(occurrenceKey: occurrence)
            switch crash {
            case .beforeRecord:
                XCTAssertNil(recorded, "nothing is recorded")
                XCTAssertEqual(try phase.jobCount(keyPrefix: occurrence + "#"), 0, "nothing may be queued without a record")
            case .afterRecordBeforeQueue:
                XCTAssertEqual(recorded?.status, .claimed)
                XCTAssertEqual(recorded?.plannedJobs.count, 3, "the planned jobs are recorded before queuing")
                XCTAssertEqual(try phase.jobCount(keyPrefix: occurrence + "#"), 0)
            case .midQueue:
                XCTAssertEqual(recorded?.status, .claimed)
                XCTAssertEqual(try phase.jobCount(keyPrefix: occurrence + "#"), 1)
            case .afterQueueBeforeConfirm, .whileRecordingQueued:
                XCTAssertEqual(recorded?.status, .claimed)
                XCTAssertEqual(try phase.jobCount(keyPrefix: occurrence + "#"), 3)
            case .none:
                XCTAssertEqual(recorded?.status, .queued)
            }
        }
        // Restarts: within the window, then long after it and its grace.
        for advance: TimeInterval in [60, 3 * 3600] {
            clock.advance(by: advance)
            let phase = try host.phase()
            let store = try CatalogSlotRunStore(catalog: phase.catalog)
            let scheduler = try scheduler(phase, store, clock, faults)
            await scheduler.tick()
            await scheduler.tick()
        }
        let phase = try host.phase()
        let run = try XCTUnwrap(CatalogSlotRunStore(catalog: phase.catalog).run(occurrenceKey: occurrence))
        XCTAssertEqual(run.status, .queued, "\(crash)")
        XCTAssertEqual(try phase.jobCount(keyPrefix: occurrence + "#"), 3, "\(crash): each planned image queued exactly once")
        let jobs = try phase.catalog.jobs(ids: run.jobIDs)
        XCTAssertEqual(Set(run.jobIDs).count, 3)
        XCTAssertEqual(Set(jobs.map(\.id)), Set(run.jobIDs), "the run records the catalog's jobs")
        XCTAssertTrue(jobs.allSatisfy { $0.category == "feet" && $0.extra["template"] == "feet_closeup" })
        XCTAssertEqual(run.plannedJobs.map(\.idempotencyKey), (1...3).map { "\(occurrence)#\($0)" })
    }

    func testCrashBeforeTheRecord() async throws { try await runThrough(.beforeRecord) }
    func testCrashAfterTheRecordBeforeQueuing() async throws { try await runThrough(.afterRecordBeforeQueue) }
    func testCrashInTheMiddleOfQueuing() async throws { try await runThrough(.midQueue) }
    func testCrashAfterQueuingBeforeConfirming() async throws { try await runThrough(.afterQueueBeforeConfirm) }
    func testCrashWhileRecordingTheRunQueued() async throws { try await runThrough(.whileRecordingQueued) }
    func testRestartAfterTheRunCompleted() async throws { try await runThrough(.none) }

    func testMaintenanceInterruptedRunsAgainAndCompletesOnce() async throws {
        let host = try OpsHost(label: "once-maintenance")
        let clock = ManualWallClock(schedulingInstant("2026-11-25T07:30:05Z"))
        let calls = Mutex(0)
        let maintenance: MaintenanceAction = { _ in
            let n = calls.withLock { c -> Int in c += 1; return c }
            if n == 1 { throw SchedulingSimulatedCrash() }
        }
        let key = "daily/organise@2026-11-25"
        do {
            let phase = try host.phase()
            await try scheduler(phase, try CatalogSlotRunStore(catalog: phase.catalog), clock, Faults(),
                                maintenance: maintenance).tick()
            XCTAssertEqual(try CatalogSlotRunStore(catalog: phase.catalog).run(occurrenceKey: key)?.status, .claimed)
        }
        for _ in 0..<2 {
            clock.advance(by: 60)
            let phase = try host.phase()
            await try scheduler(phase, try CatalogSlotRunStore(catalog: phase.catalog), clock, Faults(),
                                maintenance: maintenance).tick()
        }
        let phase = try host.phase()
        let run = try XCTUnwrap(CatalogSlotRunStore(catalog: phase.catalog).run(occurrenceKey: key))
        XCTAssertEqual(run.status, .completed)
        XCTAssertEqual(run.attempts, 1, "one failed attempt is recorded")
        XCTAssertEqual(calls.withLock { $0 }, 2, "run again after the interruption, then never again")
    }

    func testTwoSchedulersOnOneCatalogQueueOnce() async throws {
        // Two processes on the same catalog (e.g. serve restarted while the old one drains).
        let host = try OpsHost(label: "once-two")
        let clock = ManualWallClock(slotStart.addingTimeInterval(10))
        let a = try host.phase(), b = try host.phase()
        let sa = try scheduler(a, try CatalogSlotRunStore(catalog: a.catalog), clock, Faults())
        let sb = try scheduler(b, try CatalogSlotRunStore(catalog: b.catalog), clock, Faults())
        async let ea = sa.tick()
        async let eb = sb.tick()
        let events = await ea + eb
        let queued = events.filter { if case .queued = $0 { return true } else { return false } }
        XCTAssertEqual(queued.count, 1, "only one scheduler wins the occurrence")
        XCTAssertEqual(try a.jobCount(keyPrefix: occurrence + "#"), 3)
    }

    func testManualRunOncePerRequestIDThroughTheCLIPath() async throws {
        let host = try OpsHost(label: "once-manual")
        let clock = ManualWallClock(schedulingInstant("2026-11-25T12:00:00Z"))
        let phase = try host.phase()
        let plan = try PlanService(service: phase.service, templates: phase.templates, slotRuns: try phase.catalog.openSlotRunStore())
        let first = try await plan.scheduler(clock: clock).runNow(slotID: "daily/feet", requestID: "r-1")
        // A retry of the same request (another process) returns the first run.
        let again = try await (try PlanService(service: phase.service, templates: phase.templates,
                                               slotRuns: try host.phase().catalog.openSlotRunStore()))
            .scheduler(clock: clock).runNow(slotID: "daily/feet", requestID: "r-1")
        XCTAssertEqual(first.occurrenceKey, "daily/feet@manual-r-1")
        XCTAssertEqual(again.jobIDs, first.jobIDs)
        XCTAssertEqual(try phase.jobCount(keyPrefix: "daily/feet@manual-r-1#"), first.requestedCount)
        XCTAssertEqual(first.trigger, .manual)
        XCTAssertTrue((1...2).contains(first.requestedCount), "the product plan's daily feet slot makes 1–2 images")
        let other = try await plan.scheduler(clock: clock).runNow(slotID: "daily/feet", requestID: "r-2")
        XCTAssertNotEqual(other.jobIDs, first.jobIDs)
    }
}
