import Foundation
import Catalog

/// What a report is built from. `records` may span more than the period: the builder picks the
/// period's records and the previous period's (for trends) by `finishedAt`.
public struct ReportInput: Sendable {
    public var period: ReportPeriod
    /// IANA zone the period is read in (the plan's zone, normally).
    public var timeZone: TimeZone
    public var records: [GenerationRecord]
    public var experiments: [ExperimentSummary]
    public var budgets: [BudgetStatus]
    public var settings: ReportSettings

    public init(period: ReportPeriod, timeZone: TimeZone, records: [GenerationRecord],
                experiments: [ExperimentSummary] = [], budgets: [BudgetStatus] = [],
                settings: ReportSettings = ReportSettings()) {
        self.period = period
        self.timeZone = timeZone
        self.records = records
        self.experiments = experiments
        self.budgets = budgets
        self.settings = settings
    }
}
