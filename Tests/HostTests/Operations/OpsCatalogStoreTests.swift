import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite

/// The catalog-backed stores keep the contracts the scheduler and the alert engine rely on.
final class OpsCatalogStoreTests: XCTestCase {
    private var folder = ""
    override func setUp() { folder = TestEnvironment.temporaryDirectory("ops-store") }
    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    private func catalog() throws -> SQLiteCatalog { try SQLiteCatalog(path: folder + "/catalog.sqlite") }

    private func run(_ key: String, start: String, status: SlotRunStatus = .claimed) -> SlotRun {
        SlotRun(occurrenceKey: key, slotID: String(key.split(separator: "@")[0]), kind: .generate,
                scheduledStart: schedulingInstant(start), scheduledEnd: schedulingInstant(start).addingTimeInterval(1800),
                trigger: .scheduled, status: status, recordedAt: schedulingInstant(start), requestedCount: 2,
                plannedJobs: [SlotJobRequest(idempotencyKey: "\(key)#1", occurrenceKey: key, slotID: "s", index: 1,
                                             category: "feet", template: "feet_closeup", model: nil, profile: "p")],
                skippedCount: 1, skipReason: "budget daily", jobIDs: ["job_1"], attempts: 0)
    }

    func testSlotRunsInsertOnceRoundTripAndSurviveReopening() throws {
        let store = try CatalogSlotRunStore(catalog: try catalog())
        let original = run("daily/feet@2026-11-25", start: "2026-11-25T06:00:00Z")
        XCTAssertTrue(try store.insertIfAbsent(original))
        var other = original
        other.status = .missed
        XCTAssertFalse(try store.insertIfAbsent(other), "the occurrence key is unique")
        let reopened = try CatalogSlotRunStore(catalog: try catalog())
        XCTAssertEqual(try reopened.run(occurrenceKey: original.occurrenceKey), original)

        var updated = original
        updated.status = .queued
        updated.jobIDs = ["a", "b"]
        updated.lastError = nil
        updated.updatedAt = schedulingInstant("2026-11-25T06:01:00Z")
        try reopened.update(updated, from: original.status)
        XCTAssertEqual(try store.run(occurrenceKey: original.occurrenceKey), updated)
        XCTAssertThrowsError(try store.update(run("daily/x@2026-11-25", start: "2026-11-25T06:00:00Z"), from: .claimed)) { error in
            XCTAssertEqual(error as? SlotRunStoreError, .notFound(occurrenceKey: "daily/x@2026-11-25"))
        }
    }

    func testSlotRunsByStatusAndHistory() throws {
        let store = try CatalogSlotRunStore(catalog: try catalog())
        for (key, start, status) in [("a@2026-11-24", "2026-11-24T06:00:00Z", SlotRunStatus.queued),
                                     ("a@2026-11-25", "2026-11-25T06:00:00Z", .claimed),
                                     ("b@2026-11-25", "2026-11-25T07:00:00Z", .claimed),
                                     ("b@2026-11-23", "2026-11-23T07:00:00Z", .missed)] {
            XCTAssertTrue(try store.insertIfAbsent(run(key, start: start, status: status)))
        }
        XCTAssertEqual(try store.runs(status: .claimed).map(\.occurrenceKey), ["a@2026-11-25", "b@2026-11-25"])
        XCTAssertEqual(try store.history(since: nil, limit: 3).map(\.occurrenceKey), ["b@2026-11-25", "a@2026-11-25", "a@2026-11-24"])
        XCTAssertEqual(try store.history(since: schedulingInstant("2026-11-25T00:00:00Z"), limit: 10).count, 2)
    }

    func testFirstStartIsRecordedOnce() throws {
        let store = try CatalogSlotRunStore(catalog: try catalog())
        let first = try store.firstStart(now: schedulingInstant("2026-11-25T05:00:00Z"))
        XCTAssertEqual(first, schedulingInstant("2026-11-25T05:00:00Z"))
        XCTAssertEqual(try CatalogSlotRunStore(catalog: try catalog()).firstStart(now: schedulingInstant("2026-11-27T05:00:00Z")), first)
    }

    func testAlertsOneActiveInstancePerConditionAndHistory() throws {
        let store = try CatalogAlertStore(catalog: try catalog())
        let t0 = schedulingInstant("2026-11-25T06:00:00Z")
        let alert = Alert(id: "ProviderFailing/preview", rule: "ProviderFailing", subject: "preview", severity: .critical,
                          startedAt: t0, message: "preview failed 4 times")
        XCTAssertTrue(try store.insertIfNotActive(alert))
        var again = alert
        again.startedAt = t0.addingTimeInterval(60)
        XCTAssertFalse(try store.insertIfNotActive(again), "one active instance per id")
        XCTAssertEqual(try CatalogAlertStore(catalog: try catalog()).activeAlerts(), [alert])

        try store.resolve(id: alert.id, startedAt: t0, endedAt: t0.addingTimeInterval(300))
        XCTAssertEqual(try store.activeAlerts(), [])
        XCTAssertTrue(try store.insertIfNotActive(again), "a new instance once the first ended")
        let all = try store.alerts(since: nil, activeOnly: false, limit: 10)
        XCTAssertEqual(all.map(\.startedAt), [again.startedAt, t0], "newest first")
        XCTAssertEqual(all.last?.endedAt, t0.addingTimeInterval(300))
        XCTAssertEqual(try store.alerts(since: nil, activeOnly: true, limit: 10).map(\.startedAt), [again.startedAt])
        XCTAssertEqual(try store.alerts(since: t0.addingTimeInterval(1), activeOnly: false, limit: 10).count, 1)
    }

    func testTheDatabaseItselfRefusesASecondActiveAlert() throws {
        let c = try catalog()
        _ = try CatalogAlertStore(catalog: c)
        let insert = "INSERT INTO alerts (id, started_at, rule, subject, severity, message) VALUES ('R/x', ?, 'R', 'x', 'warning', 'm')"
        try c.database.query(insert, [.integer(1)])
        XCTAssertThrowsError(try c.database.query(insert, [.integer(2)])) { error in
            XCTAssertTrue((error as? SQLiteDatabase.Failure)?.isConstraint == true, "\(error)")
        }
        try c.database.query("UPDATE alerts SET ended_at = 5 WHERE id = 'R/x'")
        XCTAssertNoThrow(try c.database.query(insert, [.integer(6)]))
    }

    func testFailureKindsFromTheRunnersErrorCodes() {
        XCTAssertEqual(ProviderFailureKind(errorCode: "rate_limited", message: nil), .rateLimited)
        XCTAssertEqual(ProviderFailureKind(errorCode: "submit_outcome_unknown", message: nil), .timeout)
        XCTAssertEqual(ProviderFailureKind(errorCode: "storage", message: nil), .internal)
        XCTAssertEqual(ProviderFailureKind(errorCode: "bad_image", message: nil), .providerError)
        let failOver = "no provider could take the job (preview/preview: tried). Failures: a/m: provider_error: boom; preview/preview: rate_limited: preview: slow down"
        XCTAssertEqual(ProviderFailureKind(errorCode: "no_provider", message: failOver), .rateLimited, "the last listed failure")
        XCTAssertEqual(ProviderFailureKind(errorCode: "no_provider", message: "no provider could take the job (x: open)"), .providerError)
    }
}
