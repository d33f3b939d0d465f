import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import ImagegenTestSupport
@testable import Operations

final class AlertsEngineTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    private func overBudget(_ over: Bool) -> AlertInputs {
        AlertInputs(budgets: [BudgetStatus(name: "daily", limit: 10, spent: over ? 12 : 1, reserved: 0, remaining: over ? 0 : 9, resetsAt: t0)])
    }

    func testRestartDoesNotRefireAndStillResolves() async throws {
        let store = InMemoryAlertStore()
        let clock = ManualWallClock(t0)
        let first = AlertEngine(rules: [BudgetThresholdRule()], store: store, clock: clock)
        let fired = try await first.evaluate(overBudget(true))
        XCTAssertEqual(fired.count, 2)
        // "Restart": a new engine over the same store.
        clock.advance(by: 60)
        let second = AlertEngine(rules: [BudgetThresholdRule()], store: store, clock: clock)
        let again = try await second.evaluate(overBudget(true))
        XCTAssertEqual(again, [])
        clock.advance(by: 60)
        let cleared = try await second.evaluate(overBudget(false))
        XCTAssertEqual(cleared.count, 2)
        XCTAssertTrue(cleared.allSatisfy { if case .resolved = $0 { return true } else { return false } })
        let history = try store.alerts(since: nil, activeOnly: false, limit: 10)
        XCTAssertEqual(history.count, 2)
        XCTAssertTrue(history.allSatisfy { $0.startedAt == t0 && $0.endedAt == t0.addingTimeInterval(120) })
        XCTAssertEqual(try store.alerts(since: nil, activeOnly: true, limit: 10), [])
    }

    func testPendingForAndKeepFiringForSuppressBlips() async throws {
        let clock = ManualWallClock(t0)
        let engine = AlertEngine(rules: [BudgetThresholdRule()], store: InMemoryAlertStore(), clock: clock,
                                 timing: ["BudgetExceeded": AlertTiming(pendingFor: 120, keepFiringFor: 180)],
                                 defaultTiming: AlertTiming(pendingFor: 1_000_000))
        func step(_ over: Bool) async throws -> [String] {
            let out = try await engine.evaluate(overBudget(over)).map {
                if case let .fired(a) = $0 { return "fired \(a.rule)" } else { return "resolved \($0.alert.rule)" }
            }
            clock.advance(by: 60)
            return out
        }
        // A one-minute blip never fires.
        var log = [try await step(true), try await step(false)]
        // Held for 2 minutes → fires on the third sight.
        log += [try await step(true), try await step(true), try await step(true)]
        // A short clear is bridged by keepFiringFor (180 s), then a long one resolves: last seen at
        // step 6 (t+360), resolved at step 9 (t+540).
        log += [try await step(false), try await step(true), try await step(false), try await step(false),
                try await step(false), try await step(false)]
        XCTAssertEqual(log, [[], [], [], [], ["fired BudgetExceeded"], [], [], [], [], ["resolved BudgetExceeded"], []])
    }

    func testStoreDecidesWhenTwoEnginesRace() async throws {
        let store = InMemoryAlertStore()
        let clock = ManualWallClock(t0)
        let a = AlertEngine(rules: [BudgetThresholdRule()], store: store, clock: clock)
        let b = AlertEngine(rules: [BudgetThresholdRule()], store: store, clock: clock)
        let x = try await a.evaluate(overBudget(true))
        let y = try await b.evaluate(overBudget(true))
        XCTAssertEqual(x.count + y.count, 2, "each condition fires once in total")
    }

    func testMetricsExposeActiveAlerts() async throws {
        let store = InMemoryAlertStore()
        let engine = AlertEngine(rules: [BudgetThresholdRule()], store: store, clock: ManualWallClock(t0))
        _ = try await engine.evaluate(overBudget(true))
        let metrics = try HostMetrics(version: "test")
        metrics.update(activeAlerts: try await engine.active())
        let text = metrics.registry.exposition()
        XCTAssertTrue(text.contains(#"imagegen_alerts{alertname="BudgetExceeded",state="firing"} 1"#), text)
    }
}
