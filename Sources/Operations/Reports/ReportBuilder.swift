import Foundation
import Catalog

/// Builds a `Report` from records, experiments and budgets. Pure: the same input and `generatedAt`
/// give the same report.
package enum ReportBuilder {
    package static func build(_ input: ReportInput, generatedAt: Date) -> Report {
        let (start, end) = input.period.interval(in: input.timeZone)
        let current = GenerationStats.within(input.records, from: start, to: end)
        let (prevStart, prevEnd) = input.period.previous.interval(in: input.timeZone)
        let previous = GenerationStats.within(input.records, from: prevStart, to: prevEnd)
        let settings = input.settings

        let categories = GenerationStats.group(current, by: .category).map {
            Report.CategoryLine(category: $0.key, images: $0.succeeded, attempts: $0.attempts,
                                spentUSD: $0.spentUSD, unknownCostImages: $0.unknownCostImages)
        }
        let providers = GenerationStats.group(current, by: .provider)
        let models = GenerationStats.group(current, by: .model)

        let slowest = providers.compactMap { p -> Report.ProviderLatency? in
            p.duration.map { Report.ProviderLatency(provider: p.key, p50Seconds: $0.p50, p95Seconds: $0.p95, successes: $0.count) }
        }.max { ($0.p50Seconds, $1.provider) < ($1.p50Seconds, $0.provider) }

        let rated = models.compactMap { m -> Report.ModelQuality? in
            guard let q = m.qualityMean, m.qualityCount >= settings.minSamples else { return nil }
            return Report.ModelQuality(model: m.key, qualityMean: q, samples: m.qualityCount)
        }
        let ordered = rated.sorted { ($0.qualityMean, $1.model) > ($1.qualityMean, $0.model) }

        let scored = current.filter { $0.qualityScore != nil }
            .sorted { ($0.qualityScore!, $0.finishedAt) < ($1.qualityScore!, $1.finishedAt) }
        func image(_ r: GenerationRecord?) -> Report.ImageQuality? {
            r.map { Report.ImageQuality(imageID: $0.imageID, model: $0.model, category: $0.category,
                                        template: $0.template, score: $0.qualityScore!) }
        }

        let leaders = input.experiments.sorted { $0.name < $1.name }.compactMap { e -> Report.ExperimentLeader? in
            e.leader.map { Report.ExperimentLeader(experiment: e.name, arm: $0.name, mean: $0.mean, samples: $0.samples,
                                                   probabilityBest: $0.probabilityBest) }
        }

        return Report(
            period: input.period, timeZone: input.timeZone.identifier, start: start, end: end, generatedAt: generatedAt,
            totals: GenerationStats.overall(current), categories: categories, providers: providers, models: models,
            slowestProvider: slowest, bestModel: ordered.first, worstModel: ordered.count >= 2 ? ordered.last : nil,
            bestImage: image(scored.last), worstImage: scored.count >= 2 ? image(scored.first) : nil,
            experiments: leaders, budgets: input.budgets,
            suggestions: ReportSuggestions.derive(current: current, previous: previous,
                                                  experiments: input.experiments, settings: settings))
    }
}
