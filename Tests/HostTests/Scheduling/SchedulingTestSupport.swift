import Foundation
import Synchronization
@testable import Host
@testable import Catalog
@testable import Operations

/// Instants written as ISO 8601 UTC in tests.
func schedulingInstant(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text) else { fatalError("bad test instant \(text)") }
    return date
}

/// A simulated crash: the fake throws it where the process would have died.
struct SchedulingSimulatedCrash: Error, CustomStringConvertible {
    var description: String { "simulated crash" }
}

/// A job queue that honours idempotency keys, like the catalog must.
final class SchedulingFakeJobQueue: Sendable {
    private struct State {
        var jobs: [String: String] = [:]   // idempotency key → job id
        var order: [SlotJobRequest] = []
        var calls = 0
        var failNextCalls = 0              // throw before enqueueing
        var crashAfterEnqueueNextCalls = 0 // enqueue, then throw
    }
    private let state = Mutex(State())

    func failNext(_ n: Int) { state.withLock { $0.failNextCalls = n } }
    func crashAfterEnqueueNext(_ n: Int) { state.withLock { $0.crashAfterEnqueueNextCalls = n } }

    var jobCount: Int { state.withLock { $0.jobs.count } }
    var calls: Int { state.withLock { $0.calls } }
    var requests: [SlotJobRequest] { state.withLock { $0.order } }

    func queue(_ requests: [SlotJobRequest]) throws -> [String] {
        try state.withLock { s throws(SchedulingSimulatedCrash) in
            s.calls += 1
            if s.failNextCalls > 0 { s.failNextCalls -= 1; throw SchedulingSimulatedCrash() }
            var ids: [String] = []
            for request in requests {
                if let existing = s.jobs[request.idempotencyKey] {
                    ids.append(existing)
                } else {
                    let id = "job-\(s.jobs.count + 1)"
                    s.jobs[request.idempotencyKey] = id
                    s.order.append(request)
                    ids.append(id)
                }
            }
            if s.crashAfterEnqueueNextCalls > 0 { s.crashAfterEnqueueNextCalls -= 1; throw SchedulingSimulatedCrash() }
            return ids
        }
    }
}

/// Wraps a store and throws on chosen operations, to stop a scheduler at a given phase.
final class SchedulingFaultyStore: SlotRunStore {
    private let inner: any SlotRunStore
    private let faults = Mutex((failInserts: 0, failUpdates: 0))

    init(_ inner: any SlotRunStore) { self.inner = inner }

    func failInserts(_ n: Int) { faults.withLock { $0.failInserts = n } }
    func failUpdates(_ n: Int) { faults.withLock { $0.failUpdates = n } }

    func insertIfAbsent(_ run: SlotRun) throws -> Bool {
        let fail = faults.withLock { f -> Bool in
            guard f.failInserts > 0 else { return false }
            f.failInserts -= 1
            return true
        }
        if fail { throw SchedulingSimulatedCrash() }
        return try inner.insertIfAbsent(run)
    }

    func run(occurrenceKey: String) throws -> SlotRun? { try inner.run(occurrenceKey: occurrenceKey) }

    @discardableResult
    func update(_ run: SlotRun, from expected: SlotRunStatus) throws -> Bool {
        let fail = faults.withLock { f -> Bool in
            guard f.failUpdates > 0 else { return false }
            f.failUpdates -= 1
            return true
        }
        if fail { throw SchedulingSimulatedCrash() }
        return try inner.update(run, from: expected)
    }

    func runs(status: SlotRunStatus) throws -> [SlotRun] { try inner.runs(status: status) }
    func history(since: Date?, limit: Int) throws -> [SlotRun] { try inner.history(since: since, limit: limit) }
}

/// Collects scheduler events.
final class SchedulingEventLog: Sendable {
    private let events = Mutex<[SchedulerEvent]>([])
    func append(_ event: SchedulerEvent) { events.withLock { $0.append(event) } }
    var all: [SchedulerEvent] { events.withLock { $0 } }
    var missedKeys: [String] {
        all.compactMap { if case let .missed(run) = $0 { return run.occurrenceKey } else { return nil } }
    }
}

/// A small plan in Europe/Paris used by several tests: one generate slot and one maintenance slot per day.
func schedulingTestPlan(grace: Int = 60, lingerieStart: String = "06:00", lingerieEnd: String = "06:30",
                        count: ImageCount = ImageCount(min: 2, max: 3)) -> GenerationPlan {
    GenerationPlan(
        timeZone: "Europe/Paris", catchUpGraceMinutes: grace,
        daily: DailyWindow(slots: [
            PlanSlot(id: "daily/lingerie", start: TimeOfDay(parsing: lingerieStart)!, end: TimeOfDay(parsing: lingerieEnd)!,
                     category: "lingerie", templates: TemplateSelection(["lingerie_black_lace", "lingerie_red_satin"]),
                     count: count),
            PlanSlot(id: "daily/organise", start: TimeOfDay(hour: 7, minute: 30)!, end: TimeOfDay(hour: 8, minute: 0)!,
                     kind: .maintenance),
        ]))
}
