import Foundation
import Synchronization
import Catalog
import ImagegenConfig
import ImagegenCore

/// Assembles the state the alert rules look at (`AlertInputs`) from the catalog and the plugins.
///
/// - records: the latest `recentRecords` finished jobs (the rules look at streaks, the last N
///   successes, the last N attempts of a template and a 15-minute window: all within it);
/// - baselines: each provider's p50 of succeeded jobs over the last `baselineDays`, leaving out its
///   latest `slowWindow` successes (the ones the slow rule compares), needing `baselineMinJobs`
///   (default 50) of them — no baseline, no slow alert; a configured baseline replaces the computed one;
/// - budgets: the budgets' state now; balances: from `ProviderBalanceReader`;
/// - account usage: images stored per provider in the current day or month (budget time zone),
///   against `alerts.provider_quota.account_limits`;
/// - slot runs: the last two days of the plan's history; upload queues: from the storage module.
public struct AlertInputSource: Sendable {
    let catalog: any CatalogStore & GenerationRecordStore
    let slotRuns: any SlotRunStore
    let settings: AlertSettings
    let budgetSettings: BudgetSettings
    let balances: @Sendable (Date) async -> [ProviderBalance]
    let uploadQueues: @Sendable () -> [UploadQueueStatus]
    var recentRecords = 1000
    /// How long computed baselines are reused. They summarise days of history, and computing
    /// them reads every success of that window: on each evaluation (every second on a busy
    /// host) that cost grew with the catalog.
    var baselineRefresh: TimeInterval = 300
    private let baselineCache = BaselineCache()

    /// Shared by the copies of this source (it is a value the loop holds).
    private final class BaselineCache: Sendable {
        let entry = Mutex<(at: Date, baselines: [String: Double])?>(nil)
    }

    public init(catalog: any CatalogStore & GenerationRecordStore, slotRuns: any SlotRunStore, settings: AlertSettings, budgetSettings: BudgetSettings,
                balances: @escaping @Sendable (Date) async -> [ProviderBalance] = { _ in [] },
                uploadQueues: @escaping @Sendable () -> [UploadQueueStatus] = { [] }) {
        self.catalog = catalog
        self.slotRuns = slotRuns
        self.settings = settings
        self.budgetSettings = budgetSettings
        self.balances = balances
        self.uploadQueues = uploadQueues
    }

    public func inputs(now: Date) async throws -> AlertInputs {
        let records = try catalog.latestGenerationRecords(limit: recentRecords)
        let policy = BudgetPolicy(settings: budgetSettings)
        return AlertInputs(
            records: records,
            providerBaselines: try cachedBaselines(now: now),
            budgets: try catalog.budgetStatus(policy, categories: budgetSettings.categories.keys.sorted(), now: now),
            providerBalances: await balances(now),
            accountUsage: try accountUsage(now: now),
            slotRuns: try slotRuns.history(since: now.addingTimeInterval(-2 * 86_400), limit: 1000),
            uploadQueues: uploadQueues())
    }

    /// `baselines(now:)`, computed again once `baselineRefresh` has passed (or the clock went back).
    func cachedBaselines(now: Date) throws -> [String: Double] {
        if let cached = baselineCache.entry.withLock({ $0 }), now >= cached.at, now.timeIntervalSince(cached.at) < baselineRefresh {
            return cached.baselines
        }
        let fresh = try baselines(now: now)
        baselineCache.entry.withLock { $0 = (at: now, baselines: fresh) }
        return fresh
    }

    /// Each provider's usual p50 (seconds) of succeeded jobs.
    public func baselines(now: Date) throws -> [String: Double] {
        let since = now.addingTimeInterval(-settings.baselineDays * 86_400)
        let successes = try catalog.generationRecords(finishedFrom: since, before: now.addingTimeInterval(1), limit: 1_000_000)
            .filter { $0.outcome == .succeeded }
        var out: [String: Double] = [:]
        for (provider, records) in Dictionary(grouping: successes, by: \.provider) {
            let older = records.dropLast(settings.slowWindow).map(\.durationSeconds).sorted()
            guard older.count >= max(settings.baselineMinJobs, settings.slowMinSamples), let p50 = Percentile.nearestRank(older, percent: 50), p50 > 0 else {
                continue
            }
            out[provider] = p50
        }
        return out.merging(settings.baselines) { _, configured in configured }
    }

    /// Images per provider in the current period of each configured account limit.
    public func accountUsage(now: Date) throws -> [ProviderAccountUsage] {
        guard !settings.accountLimits.isEmpty else { return [] }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: budgetSettings.timeZone) ?? TimeZone(identifier: "UTC")!
        return try settings.accountLimits.keys.sorted().compactMap { provider -> ProviderAccountUsage? in
            let limit = settings.accountLimits[provider]!
            guard let period = calendar.dateInterval(of: limit.period == .day ? .day : .month, for: now) else { return nil }
            let used = try catalog.storedImageCount(plugin: provider, from: period.start, before: period.end)
            return ProviderAccountUsage(provider: provider, used: Double(used), limit: limit.images,
                                        unit: "images per \(limit.period.rawValue)")
        }
    }
}
