import Foundation
import Catalog

/// Derives suggestions from the data, each with the figures it rests on. Every rule needs
/// `minSamples` observations on each side so one bad image never drives a recommendation.
package enum ReportSuggestions {
    package static func derive(current: [GenerationRecord], previous: [GenerationRecord],
                              experiments: [ExperimentSummary], settings: ReportSettings) -> [Suggestion] {
        cheaperModels(current, settings) + templateQuality(current, settings) + templateFiltering(current, settings)
            + promotions(experiments, settings) + providerTrends(current, previous, settings)
    }

    /// Per category: for each model, the cheapest other model whose mean quality is within the margin.
    static func cheaperModels(_ records: [GenerationRecord], _ s: ReportSettings) -> [Suggestion] {
        var out: [Suggestion] = []
        for (category, inCategory) in Dictionary(grouping: records, by: \.category).sorted(by: { $0.key < $1.key }) {
            let candidates = GenerationStats.group(inCategory, by: .model).compactMap { m -> (String, Double, Double)? in
                guard let cost = m.costPerImageUSD, m.knownCostImages >= s.minSamples,
                      let quality = m.qualityMean, m.qualityCount >= s.minSamples else { return nil }
                return (m.key, cost, quality)
            }
            for (model, cost, quality) in candidates {
                let cheaper = candidates.filter { $0.1 < cost && $0.2 >= quality - s.qualityMargin }
                guard let best = cheaper.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else { continue }
                let saving = (cost - best.1) / cost
                out.append(Suggestion(
                    kind: .cheaperModel, subject: "\(category): \(model) → \(best.0)",
                    text: "For \(category), \(best.0) costs \(ReportFormat.usd(best.1)) per image against \(ReportFormat.usd(cost)) for \(model) (−\(ReportFormat.percent(saving))) with mean quality \(ReportFormat.fixed(best.2, 1)) vs \(ReportFormat.fixed(quality, 1)), within the \(ReportFormat.fixed(s.qualityMargin, 1))-point margin.",
                    figures: [.init("cost_per_image_current", cost, "USD"), .init("cost_per_image_cheaper", best.1, "USD"),
                              .init("saving", saving, "ratio"), .init("quality_current", quality, "score"),
                              .init("quality_cheaper", best.2, "score"), .init("quality_margin", s.qualityMargin, "score")]))
            }
        }
        return out
    }

    static func templateQuality(_ records: [GenerationRecord], _ s: ReportSettings) -> [Suggestion] {
        GenerationStats.group(records.filter { $0.template != nil }, by: .template).compactMap { t in
            guard let q = t.qualityMean, t.qualityCount >= s.minSamples, q < s.lowQualityThreshold else { return nil }
            return Suggestion(kind: .lowQualityTemplate, subject: t.key,
                text: "Template \(t.key) averages quality \(ReportFormat.fixed(q, 1)) over \(t.qualityCount) images, below \(ReportFormat.fixed(s.lowQualityThreshold, 0)); revise its prompt or parameters.",
                figures: [.init("quality_mean", q, "score"), .init("images", Double(t.qualityCount), "count"),
                          .init("threshold", s.lowQualityThreshold, "score")])
        }
    }

    static func templateFiltering(_ records: [GenerationRecord], _ s: ReportSettings) -> [Suggestion] {
        GenerationStats.group(records.filter { $0.template != nil }, by: .template).compactMap { t in
            let judged = t.succeeded + t.failed + t.contentFiltered
            guard judged >= s.minSamples, t.contentFiltered > 0 else { return nil }
            let rate = Double(t.contentFiltered) / Double(judged)
            guard rate >= s.contentFilterRate else { return nil }
            return Suggestion(kind: .contentFilteredTemplate, subject: t.key,
                text: "Template \(t.key) was content-filtered in \(t.contentFiltered) of \(judged) attempts (\(ReportFormat.percent(rate))); review its wording or route it to a provider whose policy allows it.",
                figures: [.init("content_filtered", Double(t.contentFiltered), "count"),
                          .init("attempts", Double(judged), "count"), .init("rate", rate, "ratio"),
                          .init("threshold", s.contentFilterRate, "ratio")])
        }
    }

    /// Ready when every arm has enough samples and either the leader's probability of being best
    /// reaches the bar or (without probabilities) its 95% interval lies above every other arm's.
    static func promotions(_ experiments: [ExperimentSummary], _ s: ReportSettings) -> [Suggestion] {
        experiments.sorted { $0.name < $1.name }.compactMap { e in
            guard e.arms.count >= 2, let leader = e.leader, e.arms.allSatisfy({ $0.samples >= s.minArmSamples }) else { return nil }
            let others = e.arms.filter { $0.name != leader.name }
            let runnerUp = others.max { $0.mean < $1.mean }!
            var figures: [Suggestion.Figure] = [.init("leader_mean", leader.mean, "score"),
                                                .init("runner_up_mean", runnerUp.mean, "score"),
                                                .init("leader_samples", Double(leader.samples), "count"),
                                                .init("fewest_arm_samples", Double(e.arms.map(\.samples).min()!), "count")]
            let evidence: String
            if let p = leader.probabilityBest {
                guard p >= s.promoteProbability else { return nil }
                figures.append(.init("probability_best", p, "ratio"))
                evidence = "probability of being best \(ReportFormat.percent(p))"
            } else if let low = leader.lower95, others.allSatisfy({ $0.upper95 != nil && $0.upper95! < low }) {
                figures.append(.init("leader_lower95", low, "score"))
                evidence = "its 95% interval starts at \(ReportFormat.fixed(low, 1)), above every other arm's"
            } else {
                return nil
            }
            return Suggestion(kind: .promoteExperiment, subject: e.name,
                text: "Experiment \(e.name): promote arm \(leader.name) (mean \(ReportFormat.fixed(leader.mean, 1)) vs \(ReportFormat.fixed(runnerUp.mean, 1)) for \(runnerUp.name), \(evidence)) with `imagegen experiments promote \(e.name) \(leader.name)`.",
                figures: figures)
        }
    }

    static func providerTrends(_ current: [GenerationRecord], _ previous: [GenerationRecord],
                               _ s: ReportSettings) -> [Suggestion] {
        let before = Dictionary(uniqueKeysWithValues: GenerationStats.group(previous, by: .provider).map { ($0.key, $0) })
        return GenerationStats.group(current, by: .provider).compactMap { now in
            guard let then = before[now.key] else { return nil }
            var reasons: [String] = []
            var figures: [Suggestion.Figure] = []
            if let a = then.duration, let b = now.duration, a.count >= s.minSamples, b.count >= s.minSamples,
               a.p50 > 0, b.p50 / a.p50 >= s.latencyTrendRatio {
                reasons.append("p50 rose from \(ReportFormat.fixed(a.p50, 1)) s to \(ReportFormat.fixed(b.p50, 1)) s")
                figures += [.init("p50_previous", a.p50, "seconds"), .init("p50_current", b.p50, "seconds")]
            }
            func failureRate(_ g: GroupStats) -> (Double, Int) {
                let judged = g.succeeded + g.failed
                return (judged > 0 ? Double(g.failed) / Double(judged) : 0, judged)
            }
            let (fa, na) = failureRate(then), (fb, nb) = failureRate(now)
            if na >= s.minSamples, nb >= s.minSamples, fb - fa >= s.failureTrendIncrease {
                reasons.append("failure rate rose from \(ReportFormat.percent(fa)) to \(ReportFormat.percent(fb))")
                figures += [.init("failure_rate_previous", fa, "ratio"), .init("failure_rate_current", fb, "ratio")]
            }
            guard !reasons.isEmpty else { return nil }
            return Suggestion(kind: .providerTrendingUp, subject: now.key,
                text: "Provider \(now.key) is getting worse: \(reasons.joined(separator: "; ")) since the previous period; consider lowering its routing priority.",
                figures: figures)
        }
    }
}
