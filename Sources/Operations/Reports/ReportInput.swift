import Foundation
import Catalog

/// What a report is built from. `records` may span more than the period: the builder picks the
/// period's records and the previous period's (for trends) by `finishedAt`.
package struct ReportInput: Sendable {
    package var period: ReportPeriod
    /// IANA zone the period is read in (the plan's zone, normally).
    package var timeZone: TimeZone
    package var records: [GenerationRecord]
    package var experiments: [ExperimentSummary]
    package var budgets: [BudgetStatus]
    package var settings: ReportSettings

    package init(period: ReportPeriod, timeZone: TimeZone, records: [GenerationRecord],
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
