import Foundation
import Synchronization
import XCTest
@testable import Host
@testable import ImagegenTestSupport
@testable import Operations

/// Each alert rule fires once and clears once, driven by real jobs on the Preview plugin (its
/// `fail_every_n`/`fail_status`, `latency_ms`, `filter_word` knobs and prices) and by a fake clock
/// for the windows (a day's budget, the 15-minute quota window, an upload's age).
///
/// Preview's failures are made final at once (one submit attempt, a circuit that never opens) so a
/// job fails in milliseconds.
final class OpsAlertRulesLiveTests: XCTestCase {
    static let failFast = "jobs: { submit_attempts: 1 }, health: { failure_threshold: 100 }"

    private func evaluate(_ loop: OperationsLoop) async -> [String] { opsDescribe(await loop.evaluate()) }

    func testProviderFailingFiresAfterMoreThanThreeFailuresAndClearsAtTheNextSuccess() async throws {
        let host = try OpsHost(label: "rule-failing", config: "providers: { preview: { fail_every_n: 1, fail_status: 10 } }, \(Self.failFast)")
        let sink = OpsRecordingSink()
        let clock = ManualWallClock(Date())
        var phase = try host.phase()
        var loop = try phase.loop(clock: clock, sinks: [sink])
        let failed = try await phase.runPrompts(3)
        XCTAssertEqual(failed.map(\.state), [.failed, .failed, .failed])
        clock.set(Date())
        var pass = await evaluate(loop)
        XCTAssertEqual(pass, [], "3 failures in a row is not more than 3")
        try await phase.runPrompts(1)
        clock.set(Date())
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired ProviderFailing/preview"])
        pass = await evaluate(loop)
        XCTAssertEqual(pass, [], "no storm while it keeps failing")
        let active = try loop.alertStore.activeAlerts()
        XCTAssertTrue(active.first?.message.contains("failed 4 times in a row") == true, "\(active)")

        // The provider is fixed (a restart with the knob off): one success clears it, once.
        try host.configure(Self.failFast)
        phase = try host.phase()
        loop = try phase.loop(clock: clock, sinks: [sink])
        try await phase.runPrompts(1)
        clock.set(Date())
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["resolved ProviderFailing/preview"])
        pass = await evaluate(loop)
        XCTAssertEqual(pass, [])
        await loop.deliveriesSettled()
        XCTAssertEqual(sink.notifications.map(\.type), ["alert.firing", "alert.resolved"])
        let history = try loop.alertStore.alerts(since: nil, activeOnly: false, limit: 10)
        XCTAssertEqual(history.count, 1)
        XCTAssertNotNil(history.first?.endedAt)
    }

    func testBudgetNearlySpentAndExceededFireOnceEachAndClearWhenTheDayRollsOver() async throws {
        let host = try OpsHost(label: "rule-budget", config: "models: { preview: { price: { per_image: 1 } } }, budgets: { daily: 5 }")
        let phase = try host.phase()
        let clock = ManualWallClock(Date())
        let loop = try phase.loop(clock: clock)
        try await phase.runPrompts(3)
        var pass = await evaluate(loop)
        XCTAssertEqual(pass, [], "60% is under the 80% mark")
        try await phase.runPrompts(1)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired BudgetNearlySpent/daily"])
        try await phase.runPrompts(1)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired BudgetExceeded/daily"], "the 80% alert is not sent again")
        pass = await evaluate(loop)
        XCTAssertEqual(pass, [])
        clock.advance(by: 86_400)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["resolved BudgetExceeded/daily", "resolved BudgetNearlySpent/daily"])
    }

    func testProviderSlowFiresOnLatencyAndClearsWhenTheProviderIsFastAgain() async throws {
        let alerts = "alerts: { provider_slow: { window: 3, min_samples: 3, factor: 2, baselines: { preview: 1 } } }"
        let host = try OpsHost(label: "rule-slow", config: "providers: { preview: { latency_ms: 2500 } }, \(alerts)")
        let clock = ManualWallClock(Date())
        var phase = try host.phase()
        try await phase.runPrompts(3)
        var loop = try phase.loop(clock: clock)
        var pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired ProviderSlow/preview"], "p50 ≥ 2.5 s against a 1 s baseline")
        pass = await evaluate(loop)
        XCTAssertEqual(pass, [])
        try host.configure(alerts)
        phase = try host.phase()
        loop = try phase.loop(clock: clock)
        try await phase.runPrompts(3)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["resolved ProviderSlow/preview"])
    }

    /// A fresh host has no "usual" latency: a few fast jobs, then slower ones, are no slow API until
    /// the baseline holds `baseline_min_jobs` (default 50) successes.
    func testProviderSlowStaysQuietUntilTheBaselineHasEnoughJobs() async throws {
        let slowRule = "provider_slow: { window: 3, min_samples: 3, factor: 2 }"
        let host = try OpsHost(label: "rule-slow-baseline", config: "alerts: { \(slowRule) }")
        let clock = ManualWallClock(Date())
        var phase = try host.phase()
        try await phase.runPrompts(4)
        try host.configure("providers: { preview: { latency_ms: 700 } }, alerts: { \(slowRule) }")
        phase = try host.phase()
        try await phase.runPrompts(3)
        clock.set(Date())
        var loop = try phase.loop(clock: clock)
        let source = await loop.inputSource
        XCTAssertEqual(try source.baselines(now: clock.now), [:], "4 jobs are no baseline")
        var pass = await evaluate(loop)
        XCTAssertEqual(pass, [], "no slow alert before a baseline of 50 jobs")

        // The threshold is configurable: with 4 older jobs enough, the same history fires.
        try host.configure("providers: { preview: { latency_ms: 700 } }, alerts: { provider_slow: { window: 3, min_samples: 3, factor: 2, baseline_min_jobs: 4 } }")
        phase = try host.phase()
        loop = try phase.loop(clock: clock)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired ProviderSlow/preview"])
    }

    /// Baselines summarise days of history: an evaluation reuses them for five minutes instead of
    /// reading every success of the window again (each second on a busy host).
    func testBaselinesAreReusedForFiveMinutesThenComputedAgain() async throws {
        let slowRule = "provider_slow: { window: 3, min_samples: 3, factor: 2, baseline_min_jobs: 4 }"
        let host = try OpsHost(label: "rule-slow-cache", config: "alerts: { \(slowRule) }")
        let clock = ManualWallClock(Date())
        var phase = try host.phase()
        try await phase.runPrompts(4)
        phase = try host.phase()
        let loop = try phase.loop(clock: clock)
        let source = await loop.inputSource
        let start = Date()
        XCTAssertEqual(try source.cachedBaselines(now: start), [:], "1 older success is no baseline")
        try await phase.runPrompts(4)
        XCTAssertEqual(try source.baselines(now: Date()).keys.sorted(), ["preview"], "5 older successes are one")
        XCTAssertEqual(try source.cachedBaselines(now: start.addingTimeInterval(10)), [:], "reused within five minutes")
        XCTAssertEqual(try source.cachedBaselines(now: start.addingTimeInterval(301)).keys.sorted(), ["preview"],
                       "computed again after five minutes")
    }

    func testRateLimitedProviderFiresQuotaAlertAndClearsWhenTheWindowPasses() async throws {
        let host = try OpsHost(label: "rule-429", config: """
            providers: { preview: { fail_every_n: 1, fail_status: 3 } }, \(Self.failFast),
            alerts: { provider_quota: { min_attempts: 3, rate_limited_ratio: 0.5 }, provider_failures: { threshold: 50 } }
            """)
        let phase = try host.phase()
        try await phase.runPrompts(3)
        let clock = ManualWallClock(Date())
        let loop = try phase.loop(clock: clock)
        var pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired ProviderQuota/preview:rate_limited"])
        pass = await evaluate(loop)
        XCTAssertEqual(pass, [])
        clock.advance(by: 16 * 60)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["resolved ProviderQuota/preview:rate_limited"])
    }

    func testQuotaRefusalsFireAndClearWhenTheWindowPasses() async throws {
        let host = try OpsHost(label: "rule-quota", config: """
            providers: { preview: { fail_every_n: 1, fail_status: 4 } }, \(Self.failFast)
            """)
        let phase = try host.phase()
        try await phase.runPrompts(1)
        let clock = ManualWallClock(Date())
        let loop = try phase.loop(clock: clock)
        var pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired ProviderQuota/preview:quota"])
        clock.advance(by: 16 * 60)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["resolved ProviderQuota/preview:quota"])
    }

    func testAccountLimitFiresWhenNearlyUsedAndClearsInTheNextPeriod() async throws {
        let host = try OpsHost(label: "rule-account", config: """
            alerts: { provider_quota: { account_limits: { preview: { images: 2, period: "day" } } } }
            """)
        let phase = try host.phase()
        let clock = ManualWallClock(Date())
        let loop = try phase.loop(clock: clock)
        try await phase.runPrompts(1)
        var pass = await evaluate(loop)
        XCTAssertEqual(pass, [], "1 of 2 is under 90%")
        try await phase.runPrompts(1)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired ProviderQuota/preview:account_limit"])
        clock.advance(by: 86_400)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["resolved ProviderQuota/preview:account_limit"])
    }

    func testLowBalanceFiresAndClearsAndAPluginWithoutTheExtensionReportsNothing() async throws {
        let host = try OpsHost(label: "rule-balance", config: "alerts: { provider_quota: { balance_thresholds: { stability: 100, preview: 5 } } }")
        let phase = try host.phase()
        // Preview does not offer imagegen.balance/1: no balance, never a zero one.
        let reader = ProviderBalanceReader(plugins: phase.runtime.plugins, providers: ["preview"], log: phase.runtime.log)
        let fromPlugins = await reader.balances(now: Date())
        XCTAssertEqual(fromPlugins, [])
        XCTAssertEqual(ProviderBalanceReader.parse(["schema": 1, "credits": 42.5, "unit": "credits"], provider: "stability"),
                       ProviderBalance(provider: "stability", remaining: 42.5, unit: "credits"))

        let credits = Mutex(40.0)
        let clock = ManualWallClock(Date())
        let loop = try phase.loop(clock: clock, balances: { _ in
            [ProviderBalance(provider: "stability", remaining: credits.withLock { $0 }, unit: "credits")]
        })
        var pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired ProviderQuota/stability:balance"])
        credits.withLock { $0 = 500 }
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["resolved ProviderQuota/stability:balance"])
    }

    func testTemplateContentFilteredRepeatedlyFiresAndClears() async throws {
        let alerts = "alerts: { template_content_filter: { window: 3, min_filtered: 3 } }"
        let host = try OpsHost(label: "rule-filter", config: "providers: { preview: { filter_word: \"pedicure\" } }, \(alerts)")
        let clock = ManualWallClock(Date())
        var phase = try host.phase()
        let filtered = try await phase.runTemplate("feet_closeup", count: 3)
        XCTAssertEqual(filtered.map(\.state), [.contentFiltered, .contentFiltered, .contentFiltered])
        var loop = try phase.loop(clock: clock)
        var pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired TemplateContentFiltered/feet_closeup"])
        XCTAssertFalse(pass.contains { $0.contains("ProviderFailing") }, "content filtering is not a provider failure")
        try host.configure(alerts)
        phase = try host.phase()
        loop = try phase.loop(clock: clock)
        try await phase.runTemplate("feet_closeup", count: 1)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["resolved TemplateContentFiltered/feet_closeup"])
    }

    func testUploadBacklogFiresWhenTheOldestWaitsTooLongAndClearsWhenDrained() async throws {
        let host = try OpsHost(label: "rule-upload", config: "")
        let phase = try host.phase()
        let start = Date()
        let clock = ManualWallClock(start)
        let pending = Mutex(1)
        let loop = try phase.loop(clock: clock, uploadQueues: {
            let n = pending.withLock { $0 }
            return [UploadQueueStatus(destination: "s3-main", pending: n, oldestEnqueuedAt: n > 0 ? start : nil)]
        })
        var pass = await evaluate(loop)
        XCTAssertEqual(pass, [])
        clock.advance(by: 20 * 60)
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["fired UploadQueueBacklog/s3-main"])
        pending.withLock { $0 = 0 }
        pass = await evaluate(loop)
        XCTAssertEqual(pass, ["resolved UploadQueueBacklog/s3-main"])
    }
}
