import Foundation
import ImagegenCore

/// The report as plain text for the terminal (`imagegen report`).
package enum ReportTextRenderer {
    package static func render(_ report: Report) -> String {
        let zone = TimeZone(identifier: report.timeZone) ?? TimeZone(identifier: "UTC")!
        var out: [String] = []
        out.append("imagegen report — \(report.period.kind) \(report.period) (\(report.timeZone), \(ReportFormat.instant(report.start, in: zone)) – \(ReportFormat.instant(report.end, in: zone)))")
        out.append("")
        let t = report.totals
        var totals = "Totals: \(t.succeeded) images from \(t.attempts) attempts"
        if let rate = t.successRate { totals += ", success rate \(ReportFormat.percent(rate))" }
        totals += ", spent \(ReportFormat.usd(t.spentUSD))"
        if t.unknownCostImages > 0 { totals += " (+ \(t.unknownCostImages) images of unknown cost)" }
        out.append(totals)

        out.append("")
        out.append("Images per category")
        if report.categories.isEmpty { out.append("  (none)") }
        for c in report.categories {
            out.append("  " + pad(c.category, 20) + pad(String(c.images), 6, right: true) + "  " + ReportFormat.usd(c.spentUSD)
                       + (c.unknownCostImages > 0 ? "  (\(c.unknownCostImages) unknown cost)" : ""))
        }

        for (title, groups) in [("Providers", report.providers), ("Models", report.models)] {
            out.append("")
            out.append(pad(title, 22) + pad("tries", 6, right: true) + pad("success", 9, right: true)
                       + pad("p50", 9, right: true) + pad("p95", 9, right: true) + pad("cost/image", 16, right: true)
                       + pad("quality", 9, right: true))
            if groups.isEmpty { out.append("  (none)") }
            for g in groups {
                out.append("  " + pad(g.key, 20) + pad(String(g.attempts), 6, right: true)
                           + pad(g.successRate.map(ReportFormat.percent) ?? "–", 9, right: true)
                           + pad(g.duration.map { ReportFormat.seconds($0.p50) } ?? "–", 9, right: true)
                           + pad(g.duration.map { ReportFormat.seconds($0.p95) } ?? "–", 9, right: true)
                           + pad(g.costPerImageUSD.map(ReportFormat.usd) ?? "unknown", 16, right: true)
                           + pad(g.qualityMean.map { ReportFormat.fixed($0, 1) } ?? "–", 9, right: true))
            }
        }

        out.append("")
        if let s = report.slowestProvider {
            out.append("Slowest provider: \(s.provider) (p50 \(ReportFormat.seconds(s.p50Seconds)), p95 \(ReportFormat.seconds(s.p95Seconds)) over \(s.successes) successes)")
        }
        if let b = report.bestModel {
            var line = "Best quality: \(b.model) \(ReportFormat.fixed(b.qualityMean, 1)) (\(b.samples) images)"
            if let w = report.worstModel { line += "; worst: \(w.model) \(ReportFormat.fixed(w.qualityMean, 1)) (\(w.samples) images)" }
            out.append(line)
        }
        if let b = report.bestImage {
            var line = "Best image: \(describe(b))"
            if let w = report.worstImage { line += "; worst image: \(describe(w))" }
            out.append(line)
        }
        if !report.experiments.isEmpty {
            out.append("Experiment leaders:")
            for e in report.experiments {
                out.append("  \(e.experiment): \(e.arm) (mean \(ReportFormat.fixed(e.mean, 1)), \(e.samples) samples"
                           + (e.probabilityBest.map { ", P(best) \(ReportFormat.percent($0))" } ?? "") + ")")
            }
        }
        if !report.budgets.isEmpty {
            out.append("Budgets:")
            for b in report.budgets {
                out.append("  \(b.name): \(ReportFormat.usd(b.spent + b.reserved)) of \(ReportFormat.usd(b.limit)) (\(ReportFormat.percent(b.usedRatio)))")
            }
        }
        out.append("")
        out.append("Suggestions:")
        if report.suggestions.isEmpty { out.append("  none: nothing in the data calls for a change") }
        for (i, s) in report.suggestions.enumerated() {
            out.append("  \(i + 1). \(s.text)")
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func describe(_ image: Report.ImageQuality) -> String {
        "\(image.imageID ?? "(no id)") \(ReportFormat.fixed(image.score, 1)) (\(image.model), \(image.template ?? image.category))"
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
