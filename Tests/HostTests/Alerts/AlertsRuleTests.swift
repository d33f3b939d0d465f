import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import ImagegenTestSupport
@testable import Operations

/// Each rule, run through the engine with a fake clock: it fires once, stays quiet while the
/// condition holds, resolves once when it clears, and can fire again afterwards as a new instance.
final class AlertsRuleTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    private func record(_ provider: String, _ seconds: Double, _ outcome: GenerationOutcome, at offset: Double,
                        kind: ProviderFailureKind? = nil, template: String? = nil) -> GenerationRecord {
        GenerationRecord(model: "m-\(provider)", provider: provider, category: "feet", template: template,
                         finishedAt: t0.addingTimeInterval(offset), durationSeconds: seconds, outcome: outcome,
                         failureKind: outcome == .failed ? (kind ?? .providerError) : kind)
    }

    /// Evaluates `steps` one minute apart and returns the transitions per step as "fired id" / "resolved id".
    private func run(_ rules: [any AlertRule], _ steps: [AlertInputs],
                     store: InMemoryAlertStore = InMemoryAlertStore()) async throws -> [[String]] {
        let clock = ManualWallClock(t0)
        let engine = AlertEngine(rules: rules, store: store, clock: clock)
        var out: [[String]] = []
        for inputs in steps {
            clock.advance(by: 60)
            out.append(try await engine.evaluate(inputs).map {
                switch $0 {
                case let .fired(a): return "fired \(a.id)"
                case let .resolved(a): return "resolved \(a.id)"
                }
            })
        }
        return out
    }

    func testProviderFailureStreakFiresAboveThreeAndClearsOnSuccess() async throws {
        var records = [record("replicate", 5, .succeeded, at: 0)]
        var steps: [AlertInputs] = []
        for i in 1...6 {
            records.append(record("replicate", 1, .failed, at: Double(i)))
            if i == 2 { records.append(record("replicate", 1, .contentFiltered, at: 2.5)) }  // neutral
            steps.append(AlertInputs(records: records))
        }
        records.append(record("replicate", 5, .succeeded, at: 10))
        steps.append(AlertInputs(records: records))
        steps.append(AlertInputs(records: records))
        records.append(contentsOf: (11...14).map { record("replicate", 1, .failed, at: Double($0)) })
        steps.append(AlertInputs(records: records))
        let got = try await run([ProviderFailureStreakRule()], steps)
        XCTAssertEqual(got, [[], [], [], ["fired ProviderFailing/replicate"], [], [],
                             ["resolved ProviderFailing/replicate"], [], ["fired ProviderFailing/replicate"]])
        let message = ProviderFailureStreakRule().evaluate(AlertInputs(records: records), now: t0)[0].message
        XCTAssertTrue(message.contains("failed 4 times in a row"), message)
    }

    func testBudgetEightyPercentAndExceededEachFireOnce() async throws {
        // Reservations count: 7.49 spent + 0.50 reserved is under 80%, 7.50 + 0.50 is at it.
        func budget(_ spent: Double, reserved: Double = 0) -> AlertInputs {
            AlertInputs(budgets: [BudgetStatus(name: "daily", limit: 10, spent: spent, reserved: reserved,
                                               remaining: max(0, 10 - spent - reserved), resetsAt: t0)])
        }
        let got = try await run([BudgetThresholdRule()],
                                [budget(7.49, reserved: 0.5), budget(7.5, reserved: 0.5), budget(9.5), budget(10.2), budget(11),
                                 budget(0.3)])
        XCTAssertEqual(got, [[], ["fired BudgetNearlySpent/daily"], [], ["fired BudgetExceeded/daily"], [],
                             ["resolved BudgetExceeded/daily", "resolved BudgetNearlySpent/daily"]])
        let watchOnlyMonthly = BudgetThresholdRule(budgetNames: ["monthly"])
        XCTAssertTrue(watchOnlyMonthly.evaluate(budget(11), now: t0).isEmpty)
        XCTAssertTrue(BudgetThresholdRule().evaluate(budget(10.2), now: t0).contains { $0.message.contains("10.20 of 10.00 USD (102%)") })
    }

    func testProviderSlowComparesRecentMedianWithBaseline() async throws {
        func inputs(_ durations: [Double]) -> AlertInputs {
            AlertInputs(records: durations.enumerated().map { record("stability", $1, .succeeded, at: Double($0)) },
                        providerBaselines: ["stability": 4])
        }
        let rule = ProviderSlowRule(window: 5, factor: 2, minSamples: 5)
        let got = try await run([rule], [
            inputs([4, 5, 9, 9]),                    // too few samples
            inputs([4, 5, 9, 9, 9]),                 // p50 9 > 8 → fires
            inputs([4, 5, 9, 9, 9, 10, 12]),         // still slow
            inputs([4, 5, 9, 9, 9, 10, 12, 3, 3]),   // last 5: 9 10 12 3 3 → sorted 3 3 9 10 12, p50 9 → still
            inputs([9, 10, 12, 3, 3, 3, 4]),         // last 5: 12 3 3 3 4 → p50 3 → clears
        ])
        XCTAssertEqual(got, [[], ["fired ProviderSlow/stability"], [], [], ["resolved ProviderSlow/stability"]])
        XCTAssertTrue(rule.evaluate(inputs([9, 9, 9, 9, 9]), now: t0)[0].message.contains("p50 9.0 s"))
        let noBaseline = AlertInputs(records: inputs([9, 9, 9, 9, 9]).records)
        XCTAssertTrue(rule.evaluate(noBaseline, now: t0).isEmpty, "without a baseline there is nothing to compare")
    }

    func testProviderQuotaSignals() async throws {
        let rule = ProviderQuotaRule(balanceThresholds: ["stability": 100], maxRateLimitedRatio: 0.2,
                                     rateWindow: 15 * 60, minAttempts: 10, accountLimitRatio: 0.9)
        // Engine clock is t0 + 60 s × step; records are placed just before that.
        func attempts(step: Int, limited: Int, total: Int) -> [GenerationRecord] {
            let at = Double(step * 60) - 30
            return (0..<total).map { i in
                i < limited ? record("replicate", 1, .failed, at: at, kind: .rateLimited)
                            : record("replicate", 1, .succeeded, at: at)
            }
        }
        let got = try await run([rule], [
            AlertInputs(records: attempts(step: 1, limited: 1, total: 10),
                        providerBalances: [ProviderBalance(provider: "stability", remaining: 250, unit: "credits")]),
            AlertInputs(records: attempts(step: 2, limited: 3, total: 10),
                        providerBalances: [ProviderBalance(provider: "stability", remaining: 80, unit: "credits")],
                        accountUsage: [ProviderAccountUsage(provider: "midjourney", used: 950, limit: 1000, unit: "images")]),
            AlertInputs(records: attempts(step: 3, limited: 3, total: 10),
                        providerBalances: [ProviderBalance(provider: "stability", remaining: 60, unit: "credits")],
                        accountUsage: [ProviderAccountUsage(provider: "midjourney", used: 960, limit: 1000, unit: "images")]),
            AlertInputs(records: attempts(step: 4, limited: 0, total: 10),
                        providerBalances: [ProviderBalance(provider: "stability", remaining: 5000, unit: "credits")],
                        accountUsage: [ProviderAccountUsage(provider: "midjourney", used: 10, limit: 1000, unit: "images")]),
        ])
        XCTAssertEqual(got[0], [])
        XCTAssertEqual(Set(got[1]), ["fired ProviderQuota/stability:balance", "fired ProviderQuota/replicate:rate_limited",
                                     "fired ProviderQuota/midjourney:account_limit"])
        XCTAssertEqual(got[2], [])
        XCTAssertEqual(Set(got[3]), ["resolved ProviderQuota/stability:balance", "resolved ProviderQuota/replicate:rate_limited",
                                     "resolved ProviderQuota/midjourney:account_limit"])
        let quota = rule.evaluate(AlertInputs(records: [record("stability", 1, .failed, at: 0, kind: .quota)]), now: t0)
        XCTAssertEqual(quota.map(\.id), ["ProviderQuota/stability:quota"])
        XCTAssertEqual(quota.first?.severity, .critical)
    }

    func testSlotMissedFiresAndClearsWhenALaterOccurrenceRuns() async throws {
        func slotRun(_ key: String, _ status: SlotRunStatus, day: Double) -> SlotRun {
            SlotRun(occurrenceKey: key, slotID: "daily/lingerie", kind: .generate,
                    scheduledStart: t0.addingTimeInterval(day * 86_400), scheduledEnd: t0.addingTimeInterval(day * 86_400 + 1800),
                    trigger: .scheduled, status: status, recordedAt: t0.addingTimeInterval(day * 86_400))
        }
        let ok1 = slotRun("daily/lingerie@2026-11-24", .queued, day: 0)
        let missed = slotRun("daily/lingerie@2026-11-25", .missed, day: 1)
        let ok2 = slotRun("daily/lingerie@2026-11-26", .queued, day: 2)
        let got = try await run([SlotMissedRule()], [
            AlertInputs(slotRuns: [ok1]), AlertInputs(slotRuns: [ok1, missed]), AlertInputs(slotRuns: [ok1, missed]),
            AlertInputs(slotRuns: [ok1, missed, ok2]),
        ])
        XCTAssertEqual(got, [[], ["fired SlotMissed/daily/lingerie"], [], ["resolved SlotMissed/daily/lingerie"]])
        let message = SlotMissedRule().evaluate(AlertInputs(slotRuns: [missed]), now: t0)[0].message
        XCTAssertTrue(message.contains("daily/lingerie@2026-11-25") && message.contains("imagegen plan run"), message)
    }

    func testTemplateContentFilteredRepeatedly() async throws {
        var records: [GenerationRecord] = []
        func add(_ outcome: GenerationOutcome) -> AlertInputs {
            records.append(record("replicate", 1, outcome, at: Double(records.count), template: "feet_closeup"))
            return AlertInputs(records: records)
        }
        let rule = TemplateContentFilterRule(window: 5, minFiltered: 3)
        let got = try await run([rule], [
            add(.contentFiltered), add(.succeeded), add(.contentFiltered), add(.contentFiltered),  // 3 of 4 → fire
            add(.succeeded), add(.succeeded),      // last 5: F F S S + first? window: S F F S S → 2 → clear
        ])
        XCTAssertEqual(got, [[], [], [], ["fired TemplateContentFiltered/feet_closeup"], [],
                             ["resolved TemplateContentFiltered/feet_closeup"]])
    }

    func testUploadQueueBacklog() async throws {
        func queue(_ pending: Int, oldestMinutesAgo: Double?) -> AlertInputs {
            // The engine's clock at step n is t0 + 60 n; "ago" is measured from a late step for simplicity.
            AlertInputs(uploadQueues: [UploadQueueStatus(destination: "s3-main", pending: pending,
                oldestEnqueuedAt: oldestMinutesAgo.map { t0.addingTimeInterval(-$0 * 60) })])
        }
        let got = try await run([UploadBacklogRule(maxPending: 100, maxAge: 15 * 60)], [
            queue(10, oldestMinutesAgo: 2), queue(101, oldestMinutesAgo: 3), queue(50, oldestMinutesAgo: 30),
            queue(0, oldestMinutesAgo: nil),
        ])
        XCTAssertEqual(got, [[], ["fired UploadQueueBacklog/s3-main"], [], ["resolved UploadQueueBacklog/s3-main"]])
    }

    func testDefaultRuleSetCoversEveryRule() {
        XCTAssertEqual(Set(AlertEngine.defaultRules().map(\.name)),
                       ["ProviderFailing", "Budget", "ProviderSlow", "ProviderQuota", "SlotMissed",
                        "TemplateContentFiltered", "UploadQueueBacklog"])
    }
}
