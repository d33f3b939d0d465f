import Foundation
import ImagegenCore

/// The report as one self-contained HTML page (`imagegen report --format html`): inline CSS and
/// inline SVG bar charts, no scripts, no external assets. The markup is well-formed XHTML (every
/// element closed, every text escaped), so it parses both as HTML and as XML.
package enum ReportHTMLRenderer {
    package static func render(_ report: Report) -> String {
        let e = MarkupEscaping.escape
        let zone = TimeZone(identifier: report.timeZone) ?? TimeZone(identifier: "UTC")!
        let title = "imagegen report — \(report.period.kind) \(report.period)"
        var h = "<!DOCTYPE html>\n"
        h += #"<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>"#
        h += "<title>\(e(title))</title><style>\(css)</style></head><body>"
        h += "<h1>\(e(title))</h1>"
        h += "<p class=\"period\">\(e(report.timeZone)), \(e(ReportFormat.instant(report.start, in: zone))) – \(e(ReportFormat.instant(report.end, in: zone)))</p>"

        let t = report.totals
        h += "<section><h2>Totals</h2><p>"
        h += "\(t.succeeded) images from \(t.attempts) attempts"
        if let rate = t.successRate { h += ", success rate \(e(ReportFormat.percent(rate)))" }
        h += ", spent \(e(ReportFormat.usd(t.spentUSD)))"
        if t.unknownCostImages > 0 { h += " (+ \(t.unknownCostImages) images of unknown cost)" }
        h += "</p></section>"

        h += "<section><h2>Images per category</h2>"
        h += SVGBarChart(title: "Images per category", bars: report.categories.map {
            .init(label: $0.category, value: Double($0.images), display: String($0.images))
        }).render()
        h += SVGBarChart(title: "Cost per category (USD)", bars: report.categories.map {
            .init(label: $0.category, value: $0.spentUSD, display: ReportFormat.usd($0.spentUSD))
        }).render()
        h += "</section>"

        h += "<section><h2>Providers</h2>"
        h += SVGBarChart(title: "Median generation time by provider (s)", bars: report.providers.compactMap { p in
            p.duration.map { .init(label: p.key, value: $0.p50, display: ReportFormat.seconds($0.p50)) }
        }).render()
        h += table(report.providers)
        if let s = report.slowestProvider {
            h += "<p>Slowest provider: <strong>\(e(s.provider))</strong> (p50 \(e(ReportFormat.seconds(s.p50Seconds))), p95 \(e(ReportFormat.seconds(s.p95Seconds))) over \(s.successes) successes)</p>"
        }
        h += "</section>"

        h += "<section><h2>Models</h2>"
        h += SVGBarChart(title: "Mean quality by model", bars: report.models.compactMap { m in
            m.qualityMean.map { .init(label: m.key, value: $0, display: ReportFormat.fixed($0, 1)) }
        }).render()
        h += table(report.models)
        if let b = report.bestModel {
            h += "<p>Best quality: <strong>\(e(b.model))</strong> \(e(ReportFormat.fixed(b.qualityMean, 1))) (\(b.samples) images)"
            if let w = report.worstModel {
                h += "; worst: <strong>\(e(w.model))</strong> \(e(ReportFormat.fixed(w.qualityMean, 1))) (\(w.samples) images)"
            }
            h += "</p>"
        }
        for (label, image) in [("Best image", report.bestImage), ("Worst image", report.worstImage)] {
            guard let image else { continue }
            h += "<p>\(label): \(e(image.imageID ?? "(no id)")) scored \(e(ReportFormat.fixed(image.score, 1))) (\(e(image.model)), \(e(image.template ?? image.category)))</p>"
        }
        h += "</section>"

        if !report.experiments.isEmpty {
            h += "<section><h2>Experiment leaders</h2><table><thead><tr><th>experiment</th><th>leading arm</th><th>mean</th><th>samples</th><th>P(best)</th></tr></thead><tbody>"
            for x in report.experiments {
                h += "<tr><td>\(e(x.experiment))</td><td>\(e(x.arm))</td><td>\(e(ReportFormat.fixed(x.mean, 1)))</td><td>\(x.samples)</td><td>\(e(x.probabilityBest.map(ReportFormat.percent) ?? "–"))</td></tr>"
            }
            h += "</tbody></table></section>"
        }
        if !report.budgets.isEmpty {
            h += "<section><h2>Budgets</h2>"
            h += SVGBarChart(title: "Budget used (%)", bars: report.budgets.map {
                .init(label: $0.name, value: $0.usedRatio * 100, display: "\(ReportFormat.usd($0.spent + $0.reserved)) of \(ReportFormat.usd($0.limit))")
            }).render()
            h += "</section>"
        }

        h += "<section><h2>Suggestions</h2>"
        if report.suggestions.isEmpty {
            h += "<p>None: nothing in the data calls for a change.</p>"
        } else {
            h += "<ol class=\"suggestions\">"
            for s in report.suggestions {
                h += "<li data-kind=\"\(e(s.kind.rawValue))\"><p>\(e(s.text))</p><ul class=\"figures\">"
                for f in s.figures {
                    h += "<li>\(e(f.name)): \(e(ReportFormat.fixed(f.value, 4))) \(e(f.unit))</li>"
                }
                h += "</ul></li>"
            }
            h += "</ol>"
        }
        h += "</section>"
        h += "<footer>Generated \(e(ReportFormat.instant(report.generatedAt, in: zone))) by imagegen</footer>"
        h += "</body></html>\n"
        return h
    }

    private static func table(_ groups: [GroupStats]) -> String {
        let e = MarkupEscaping.escape
        var h = "<table><thead><tr><th>name</th><th>attempts</th><th>success</th><th>mean</th><th>p50</th><th>p95</th><th>cost/image</th><th>unknown cost</th><th>quality</th></tr></thead><tbody>"
        for g in groups {
            h += "<tr><td>\(e(g.key))</td><td>\(g.attempts)</td>"
            h += "<td>\(e(g.successRate.map(ReportFormat.percent) ?? "–"))</td>"
            h += "<td>\(e(g.duration.map { ReportFormat.seconds($0.mean) } ?? "–"))</td>"
            h += "<td>\(e(g.duration.map { ReportFormat.seconds($0.p50) } ?? "–"))</td>"
            h += "<td>\(e(g.duration.map { ReportFormat.seconds($0.p95) } ?? "–"))</td>"
            h += "<td>\(e(g.costPerImageUSD.map(ReportFormat.usd) ?? "unknown"))</td>"
            h += "<td>\(g.unknownCostImages)</td>"
            h += "<td>\(e(g.qualityMean.map { ReportFormat.fixed($0, 1) } ?? "–"))</td></tr>"
        }
        return h + "</tbody></table>"
    }

    private static let css = """
    body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:60em}\
    h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ddd}\
    table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:right}\
    td:first-child,th:first-child{text-align:left}.chart{display:block;margin:.5em 0}\
    .chart text{font-size:12px;fill:#333}.chart .chart-title{font-weight:bold}.bar{fill:#4a7bd0}\
    .figures{color:#555;font-size:.9em}footer{margin-top:2em;color:#777;font-size:.8em}
    """
}
