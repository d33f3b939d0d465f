import Foundation
import XCTest
import Catalog

/// The smaller stores the catalog also implements (alerts, slot runs, daily quota counts), each
/// made on a `CatalogStore` by a factory the subclass overrides, as a PostgreSQL catalog will
/// have to provide them too.
extension CatalogContractTests {
    func alert(_ rule: String, _ subject: String, startedAt: Date, severity: AlertSeverity = .warning) -> Alert {
        Alert(AlertCondition(rule: rule, subject: subject, severity: severity, message: "\(rule) on \(subject)"), startedAt: startedAt)
    }

    func testAlertsKeepOneActiveInstancePerConditionAndListNewestFirst() throws {
        let alerts = try makeAlertStore(on: try makeStore())
        let first = alert("ProviderFailing", "fal", startedAt: noon, severity: .critical)
        XCTAssertTrue(try alerts.insertIfNotActive(first))
        XCTAssertFalse(try alerts.insertIfNotActive(alert("ProviderFailing", "fal", startedAt: noon.addingTimeInterval(60))),
                       "a condition still firing is not recorded (nor paged) twice")
        let other = alert("BudgetLow", "daily", startedAt: noon.addingTimeInterval(30))
        XCTAssertTrue(try alerts.insertIfNotActive(other))
        XCTAssertEqual(try alerts.activeAlerts(), [first, other])

        let ended = noon.addingTimeInterval(120)
        try alerts.resolve(id: first.id, startedAt: first.startedAt, endedAt: ended)
        XCTAssertEqual(try alerts.activeAlerts(), [other])
        let again = alert("ProviderFailing", "fal", startedAt: noon.addingTimeInterval(180))
        XCTAssertTrue(try alerts.insertIfNotActive(again), "after it cleared, the condition may fire again")

        var resolvedFirst = first
        resolvedFirst.endedAt = ended
        XCTAssertEqual(try alerts.alerts(since: nil, activeOnly: false, limit: 10), [again, other, resolvedFirst])
        XCTAssertEqual(try alerts.alerts(since: nil, activeOnly: true, limit: 10), [again, other])
        XCTAssertEqual(try alerts.alerts(since: noon.addingTimeInterval(30), activeOnly: false, limit: 10), [again, other])
        XCTAssertEqual(try alerts.alerts(since: nil, activeOnly: false, limit: 1), [again])
    }

    func testResolvingAnInstanceThatIsNotActiveChangesNothing() throws {
        let alerts = try makeAlertStore(on: try makeStore())
        let firing = alert("QueueStuck", "runner", startedAt: noon)
        XCTAssertTrue(try alerts.insertIfNotActive(firing))
        try alerts.resolve(id: firing.id, startedAt: noon.addingTimeInterval(1), endedAt: noon.addingTimeInterval(5))
        try alerts.resolve(id: "Nope/none", startedAt: noon, endedAt: noon.addingTimeInterval(5))
        XCTAssertEqual(try alerts.activeAlerts(), [firing])
    }

    func testAlertsSurviveReopening() throws {
        var store: (any CatalogStore)? = try makeStore()
        let firing = alert("ProviderFailing", "fal", startedAt: noon)
        XCTAssertTrue(try makeAlertStore(on: XCTUnwrap(store)).insertIfNotActive(firing))
        let reopened = try makeAlertStore(on: try reopen(&store))
        XCTAssertEqual(try reopened.activeAlerts(), [firing])
        XCTAssertFalse(try reopened.insertIfNotActive(firing), "a restarted host knows what it already reported")
    }

    func slotRun(_ key: String, start: Date, status: SlotRunStatus = .claimed) -> SlotRun {
        SlotRun(occurrenceKey: key, slotID: "morning", kind: .generate, scheduledStart: start,
                scheduledEnd: start.addingTimeInterval(3600), trigger: .scheduled, status: status, recordedAt: start,
                requestedCount: 2,
                plannedJobs: [SlotJobRequest(idempotencyKey: "\(key)#1", occurrenceKey: key, slotID: "morning", index: 1,
                                             category: "product", template: "hero", model: "model-a", profile: nil),
                              SlotJobRequest(idempotencyKey: "\(key)#2", occurrenceKey: key, slotID: "morning", index: 2,
                                             category: "product", template: "hero", model: nil, profile: "warm")],
                skippedCount: 1, skipReason: "budget", jobIDs: [], attempts: 0, lastError: nil)
    }

    func testSlotRunsAreRecordedOncePerOccurrenceAndUpdatedInPlace() throws {
        let runs = try makeSlotRunStore(on: try makeStore())
        let run = slotRun("morning@2026-03-15", start: noon)
        XCTAssertTrue(try runs.insertIfAbsent(run))
        var duplicate = run
        duplicate.requestedCount = 9
        XCTAssertFalse(try runs.insertIfAbsent(duplicate), "an occurrence is recorded once")
        XCTAssertEqual(try runs.run(occurrenceKey: run.occurrenceKey), run)
        XCTAssertNil(try runs.run(occurrenceKey: "nope"))

        var queued = run
        queued.status = .queued
        queued.jobIDs = ["job-1", "job-2"]
        queued.attempts = 1
        queued.lastError = "busy once"
        queued.updatedAt = noon.addingTimeInterval(5)
        try runs.update(queued)
        XCTAssertEqual(try runs.run(occurrenceKey: run.occurrenceKey), queued)

        XCTAssertThrowsError(try runs.update(slotRun("never-inserted", start: noon))) { error in
            XCTAssertEqual(error as? SlotRunStoreError, .notFound(occurrenceKey: "never-inserted"))
        }
        XCTAssertNil(try runs.run(occurrenceKey: "never-inserted"), "update does not insert")
    }

    func testSlotRunsByStatusAndHistory() throws {
        let runs = try makeSlotRunStore(on: try makeStore())
        let a = slotRun("a", start: noon), b = slotRun("b", start: noon.addingTimeInterval(3600), status: .queued)
        let c = slotRun("c", start: noon.addingTimeInterval(7200)), d = slotRun("d", start: noon.addingTimeInterval(-3600), status: .missed)
        for run in [c, a, d, b] { XCTAssertTrue(try runs.insertIfAbsent(run)) }
        XCTAssertEqual(try runs.runs(status: .claimed).map(\.occurrenceKey), ["a", "c"])
        XCTAssertEqual(try runs.runs(status: .missed), [d])
        XCTAssertEqual(try runs.runs(status: .failed), [])
        XCTAssertEqual(try runs.history(since: nil, limit: 10).map(\.occurrenceKey), ["c", "b", "a", "d"])
        XCTAssertEqual(try runs.history(since: noon, limit: 10).map(\.occurrenceKey), ["c", "b", "a"])
        XCTAssertEqual(try runs.history(since: nil, limit: 2).map(\.occurrenceKey), ["c", "b"])
    }

    func testSlotRunsSurviveReopening() throws {
        var store: (any CatalogStore)? = try makeStore()
        let run = slotRun("morning@2026-03-15", start: noon)
        XCTAssertTrue(try makeSlotRunStore(on: XCTUnwrap(store)).insertIfAbsent(run))
        let reopened = try makeSlotRunStore(on: try reopen(&store))
        XCTAssertEqual(try reopened.run(occurrenceKey: run.occurrenceKey), run)
        XCTAssertFalse(try reopened.insertIfAbsent(run))
    }

    func testDailyImageCountsArePerDayAndScopeAndTheLastSaveWins() throws {
        let quotas = try makeQuotaUsageStore(on: try makeStore())
        XCTAssertEqual(quotas.dailyImageCounts(day: "2026-03-15"), [:])
        quotas.saveDailyImageCount(3, scope: .provider("fal"), day: "2026-03-15")
        quotas.saveDailyImageCount(4, scope: .provider("fal"), day: "2026-03-15")
        quotas.saveDailyImageCount(2, scope: .apiToken("ci"), day: "2026-03-15")
        quotas.saveDailyImageCount(7, scope: .provider("fal"), day: "2026-03-16")
        XCTAssertEqual(quotas.dailyImageCounts(day: "2026-03-15"), [.provider("fal"): 4, .apiToken("ci"): 2])
        XCTAssertEqual(quotas.dailyImageCounts(day: "2026-03-16"), [.provider("fal"): 7])
        XCTAssertEqual(quotas.dailyImageCounts(day: "2026-03-14"), [:])
    }

    func testDailyImageCountsSurviveReopening() throws {
        var store: (any CatalogStore)? = try makeStore()
        var quotas: (any QuotaUsageStore)? = try makeQuotaUsageStore(on: XCTUnwrap(store))
        _ = quotas?.dailyImageCounts(day: "2026-03-15")
        quotas?.saveDailyImageCount(5, scope: .provider("fal"), day: "2026-03-15")
        quotas = nil
        let reopened = try makeQuotaUsageStore(on: try reopen(&store))
        XCTAssertEqual(reopened.dailyImageCounts(day: "2026-03-15"), [.provider("fal"): 5])
    }
}

extension CatalogContractTests {
    func testADailyImageCountSavedBeforeAnyReadIsKept() throws {
        let store = try makeStore()
        let quotas = try makeQuotaUsageStore(on: store)
        quotas.saveDailyImageCount(5, scope: .apiToken("ci"), day: "2026-03-15")
        XCTAssertEqual(quotas.dailyImageCounts(day: "2026-03-15"), [.apiToken("ci"): 5])
    }
}
