import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import ImagegenCore
@testable import ImagegenTestSupport
@testable import Operations

/// Catch-up and missed slots through the catalog store, with the plan read from the config
/// (`plans`, snake_case keys, explicit time zone) and the scheduler as serve builds it.
final class OpsCatchUpTests: XCTestCase {
    static let planConfig = """
        plans: { time_zone: "UTC", catch_up_grace_minutes: 60, daily: { slots: [
          { id: "daily/feet", start: "06:00", end: "06:30", category: "feet", template: "feet_closeup", count: 2 },
          { id: "daily/organise", start: "07:30", end: "08:00", kind: "maintenance" } ] } }
        """
    private let feet = "daily/feet@2026-11-25"

    /// The loop (and its scheduler) of one "process" started at the clock's time.
    private func loop(_ host: OpsHost, _ clock: ManualWallClock, sink: OpsRecordingSink = OpsRecordingSink()) throws -> (OpsPhase, OperationsLoop) {
        let phase = try host.phase()
        return (phase, try phase.loop(clock: clock, sinks: [sink]))
    }

    func testAHostDownDuringItsSlotCatchesUpWithinTheGrace() async throws {
        let host = try OpsHost(label: "catchup", config: Self.planConfig)
        let clock = ManualWallClock(schedulingInstant("2026-11-25T05:00:00Z"))
        do {  // First start before the slot: the plan is installed.
            let (_, loop) = try loop(host, clock)
            await loop.scheduler!.tick()
        }
        // Down from 05:00 to 06:50: the slot ended at 06:30, the grace runs to 07:30.
        clock.set(schedulingInstant("2026-11-25T06:50:00Z"))
        let (phase, loop) = try loop(host, clock)
        await loop.scheduler!.tick()
        let run = try XCTUnwrap(phase.catalog.slotRun(feet))
        XCTAssertEqual(run.status, .queued)
        XCTAssertEqual(run.trigger, .catchUp)
        XCTAssertEqual(try phase.jobCount(keyPrefix: feet + "#"), 2)
        let transitions = await loop.evaluate()
        XCTAssertFalse(opsDescribe(transitions).contains { $0.contains("SlotMissed") })
    }

    func testAHostDownPastTheGraceRecordsTheSlotMissedAlertsOnceAndClearsOnTheNextRun() async throws {
        let host = try OpsHost(label: "missed", config: Self.planConfig)
        let clock = ManualWallClock(schedulingInstant("2026-11-25T05:00:00Z"))
        do {
            let (_, loop) = try loop(host, clock)
            await loop.scheduler!.tick()
        }
        // Down until 09:00: both the feet slot (grace to 07:30) and the organise slot (to 09:00)…
        clock.set(schedulingInstant("2026-11-25T09:10:00Z"))
        let sink = OpsRecordingSink()
        var (phase, loop) = try loop(host, clock, sink: sink)
        await loop.scheduler!.tick()
        XCTAssertEqual(try phase.catalog.slotRun(feet)?.status, .missed)
        XCTAssertEqual(try phase.catalog.slotRun("daily/organise@2026-11-25")?.status, .missed)
        XCTAssertEqual(try phase.jobCount(keyPrefix: feet + "#"), 0, "a missed slot queues nothing")

        let pass1 = opsDescribe(await loop.evaluate())
        XCTAssertEqual(pass1, ["fired SlotMissed/daily/feet", "fired SlotMissed/daily/organise"])
        let pass2 = opsDescribe(await loop.evaluate())
        XCTAssertEqual(pass2, [], "no storm: one alert per condition")
        await loop.deliveriesSettled()
        XCTAssertEqual(sink.notifications.map(\.type), ["alert.firing", "alert.firing"])

        // A restart does not page again for the same condition.
        (phase, loop) = try self.loop(host, clock, sink: sink)
        await loop.scheduler!.tick()
        let pass3 = opsDescribe(await loop.evaluate())
        XCTAssertEqual(pass3, [])

        // The next day's feet slot runs: its alert clears; organise's stays until its own next run.
        clock.set(schedulingInstant("2026-11-26T06:05:00Z"))
        await loop.scheduler!.tick()
        XCTAssertEqual(try phase.catalog.slotRun("daily/feet@2026-11-26")?.status, .queued)
        let pass4 = opsDescribe(await loop.evaluate())
        XCTAssertEqual(pass4, ["resolved SlotMissed/daily/feet"])
        clock.set(schedulingInstant("2026-11-26T07:31:00Z"))
        await loop.scheduler!.tick()
        let pass5 = opsDescribe(await loop.evaluate())
        XCTAssertEqual(pass5, ["resolved SlotMissed/daily/organise"])

        let recorded = try CatalogAlertStore(catalog: phase.catalog).alerts(since: nil, activeOnly: false, limit: 10)
        XCTAssertEqual(recorded.count, 2)
        let feetAlert = try XCTUnwrap(recorded.first { $0.id == "SlotMissed/daily/feet" })
        XCTAssertEqual(feetAlert.startedAt, schedulingInstant("2026-11-25T09:10:00Z"))
        XCTAssertEqual(feetAlert.endedAt, schedulingInstant("2026-11-26T06:05:00Z"))
        XCTAssertTrue(feetAlert.message.contains("daily/feet@2026-11-25"), feetAlert.message)
    }

    func testAFreshInstallDoesNotRecordTheMorningAsMissed() async throws {
        let host = try OpsHost(label: "fresh", config: Self.planConfig)
        let clock = ManualWallClock(schedulingInstant("2026-11-25T12:00:00Z"))
        let (phase, loop) = try loop(host, clock)
        await loop.scheduler!.tick()
        XCTAssertNil(try phase.catalog.slotRun(feet))
        let pass6 = opsDescribe(await loop.evaluate())
        XCTAssertEqual(pass6, [])
        // The next morning runs as scheduled.
        clock.set(schedulingInstant("2026-11-26T06:00:01Z"))
        await loop.scheduler!.tick()
        XCTAssertEqual(try phase.catalog.slotRun("daily/feet@2026-11-26")?.trigger, .scheduled)
    }

    func testTheBudgetLetsASlotRunAsMuchAsFitsAndRecordsTheRest() async throws {
        let host = try OpsHost(label: "budget-fit", config: Self.planConfig + """
            , budgets: { daily: 0.025 }, models: { preview: { price: { per_image: 0.01 } } }
            """)
        let clock = ManualWallClock(schedulingInstant("2026-11-25T05:59:00Z"))
        let (phase, loop) = try loop(host, clock)
        await loop.scheduler!.tick()
        // Something else already reserved 0.01 of the day's 0.025: one of the slot's two images fits.
        _ = try phase.service.enqueue(GenerationRequest(prompt: "a teapot", width: 64, height: 64))
        clock.set(schedulingInstant("2026-11-25T06:00:30Z"))
        await loop.scheduler!.tick()
        let run = try XCTUnwrap(phase.catalog.slotRun(feet))
        XCTAssertEqual(run.status, .queued)
        XCTAssertEqual(run.jobIDs.count, 1)
        XCTAssertEqual(run.skippedCount, 1)
        XCTAssertTrue(run.skipReason?.contains("budget daily") == true, run.skipReason ?? "")
        XCTAssertEqual(try phase.jobCount(keyPrefix: feet + "#"), 1)
    }

    func testASlotWithNoBudgetLeftIsRecordedSkipped() async throws {
        let host = try OpsHost(label: "budget-none", config: Self.planConfig + """
            , budgets: { daily: 0.005 }, models: { preview: { price: { per_image: 0.01 } } }
            """)
        let clock = ManualWallClock(schedulingInstant("2026-11-25T05:59:00Z"))
        let (phase, loop) = try loop(host, clock)
        await loop.scheduler!.tick()
        clock.set(schedulingInstant("2026-11-25T06:00:30Z"))
        await loop.scheduler!.tick()
        let run = try XCTUnwrap(phase.catalog.slotRun(feet))
        XCTAssertEqual(run.status, .skipped)
        XCTAssertEqual(run.skippedCount, 2)
        XCTAssertEqual(try phase.jobCount(keyPrefix: feet + "#"), 0)
    }
}

extension SQLiteCatalog {
    /// The slot run of an occurrence (test shorthand).
    func slotRun(_ key: String) throws -> SlotRun? { try CatalogSlotRunStore(catalog: self).run(occurrenceKey: key) }
}
