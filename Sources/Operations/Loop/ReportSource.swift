import Foundation
import Catalog
import ImagegenConfig
import Pipeline
import Templates

/// Gathers what a report is built from: the catalog's finished jobs of the period and the one
/// before it (for trends), the experiments of the templates, the budgets now, and the thresholds
/// from config (`metrics.report`).
package struct ReportSource: Sendable {
    package let service: GenerationService
    package let templates: TemplateStore
    package let catalog: any CatalogStore & GenerationRecordStore & ExperimentStore

    package init(service: GenerationService, templates: TemplateStore,
                 catalog: any CatalogStore & GenerationRecordStore & ExperimentStore) {
        self.service = service
        self.templates = templates
        self.catalog = catalog
    }

    /// The input of the report on `period`, read in `timeZone` (normally the plan's).
    package func input(period: ReportPeriod, timeZone: TimeZone, now: Date) throws -> ReportInput {
        let (previousStart, _) = period.previous.interval(in: timeZone)
        let (_, end) = period.interval(in: timeZone)
        let records = try catalog.generationRecords(finishedFrom: previousStart, before: end, limit: 1_000_000)
        let budgets = try catalog.budgetStatus(service.budgets,
                                               categories: service.runtime.configuration.budgets.categories.keys.sorted(), now: now)
        return ReportInput(period: period, timeZone: timeZone, records: records, experiments: try experiments(),
                           budgets: budgets, settings: try Self.settings(service.runtime.configuration))
    }

    /// The experiments of the templates that have one and some outcomes, as the report summarises them.
    package func experiments() throws -> [ExperimentSummary] {
        try templates.library().templates.filter { $0.experiment != nil }.compactMap { template -> ExperimentSummary? in
            let data = try catalog.experimentData(template: template.name)
            let state = try ExperimentState(template: template, assignments: data.assignments, outcomes: data.outcomes)
            // A fixed seed: the same data gives the same probabilities in every report.
            var random = SplitMix64(seed: 0x1D3A)
            let summary = ExperimentSummary(try ExperimentReport(state: state, using: &random))
            return summary.arms.contains { $0.samples > 0 } ? summary : nil
        }
    }

    /// `metrics.report` in config (every key optional): quality_margin, min_samples,
    /// low_quality_threshold, content_filter_rate, promote_probability, min_arm_samples,
    /// latency_trend_ratio, failure_trend_increase.
    package static func settings(_ configuration: Configuration) throws(AlertSettingsError) -> ReportSettings {
        var s = ReportSettings()
        guard let section = configuration.sections["metrics"]?["report"] else { return s }
        guard let object = section.object else { throw .invalid(key: "metrics.report", detail: "must be an object") }
        let r = AlertSettingsReader(root: object, path: "metrics.report")
        try r.only(["quality_margin", "min_samples", "low_quality_threshold", "content_filter_rate", "promote_probability",
                    "min_arm_samples", "latency_trend_ratio", "failure_trend_increase"])
        s.qualityMargin = try r.number("quality_margin", range: 0...100) ?? s.qualityMargin
        s.minSamples = Int(try r.number("min_samples", range: 1...100_000) ?? Double(s.minSamples))
        s.lowQualityThreshold = try r.number("low_quality_threshold", range: 0...100) ?? s.lowQualityThreshold
        s.contentFilterRate = try r.number("content_filter_rate", range: 0...1) ?? s.contentFilterRate
        s.promoteProbability = try r.number("promote_probability", range: 0.5...1) ?? s.promoteProbability
        s.minArmSamples = Int(try r.number("min_arm_samples", range: 1...100_000) ?? Double(s.minArmSamples))
        s.latencyTrendRatio = try r.number("latency_trend_ratio", range: 1...1000) ?? s.latencyTrendRatio
        s.failureTrendIncrease = try r.number("failure_trend_increase", range: 0...1) ?? s.failureTrendIncrease
        return s
    }
}

extension ExperimentSummary {
    /// An experiment's statistics as the report shows them (means on the experiment's 0–1 scale).
    package init(_ report: ExperimentReport) {
        self.init(name: report.template, template: report.template, arms: report.arms.map { arm in
            Arm(name: arm.arm, samples: arm.count, mean: arm.mean ?? 0, lower95: arm.count > 0 ? arm.interval.lower : nil,
                upper95: arm.count > 0 ? arm.interval.upper : nil, probabilityBest: arm.probabilityBest)
        })
    }
}
