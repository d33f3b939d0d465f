import Catalog
/// A snapshot of the state the rules look at, assembled by the serve loop before each evaluation.
public struct AlertInputs: Sendable {
    /// Recent finished provider attempts, any order (e.g. the last 24 h, or the last few hundred per provider).
    public var records: [GenerationRecord]
    /// Each provider's usual p50 duration of succeeded attempts in seconds (e.g. over the last 7 days).
    public var providerBaselines: [String: Double]
    public var budgets: [BudgetStatus]
    public var providerBalances: [ProviderBalance]
    public var accountUsage: [ProviderAccountUsage]
    /// Recent slot runs (e.g. the last 2 days of `SlotRunStore.history`).
    public var slotRuns: [SlotRun]
    public var uploadQueues: [UploadQueueStatus]

    public init(records: [GenerationRecord] = [], providerBaselines: [String: Double] = [:],
                budgets: [BudgetStatus] = [], providerBalances: [ProviderBalance] = [],
                accountUsage: [ProviderAccountUsage] = [], slotRuns: [SlotRun] = [],
                uploadQueues: [UploadQueueStatus] = []) {
        self.records = records
        self.providerBaselines = providerBaselines
        self.budgets = budgets
        self.providerBalances = providerBalances
        self.accountUsage = accountUsage
        self.slotRuns = slotRuns
        self.uploadQueues = uploadQueues
    }

    /// Records grouped by provider, oldest first.
    func recordsByProvider() -> [String: [GenerationRecord]] {
        Dictionary(grouping: records, by: \.provider).mapValues { $0.sorted { $0.finishedAt < $1.finishedAt } }
    }
}
