/// A horizontal bar chart as inline SVG (no scripts, no external assets), well-formed XML.
package struct SVGBarChart: Sendable {
    package struct Bar: Sendable {
        package var label: String
        package var value: Double
        /// The value as shown next to the bar (e.g. "0.0400 USD").
        package var display: String

        package init(label: String, value: Double, display: String) {
            self.label = label
            self.value = value
            self.display = display
        }
    }

    package var title: String
    package var bars: [Bar]

    package init(title: String, bars: [Bar]) {
        self.title = title
        self.bars = bars
    }

    static let width = 600.0
    static let labelWidth = 170.0
    static let barArea = 300.0
    static let rowHeight = 22.0
    static let top = 28.0

    package func render() -> String {
        let e = MarkupEscaping.escape
        let height = Self.top + Double(max(bars.count, 1)) * Self.rowHeight + 8
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="\#(n(Self.width))" height="\#(n(height))" viewBox="0 0 \#(n(Self.width)) \#(n(height))" aria-label="\#(e(title))">"#
        svg += "<title>\(e(title))</title>"
        svg += ##"<g font-family="sans-serif" font-size="12" fill="#333">"##
        svg += #"<text x="0" y="16" class="chart-title" font-weight="bold">\#(e(title))</text>"#
        guard !bars.isEmpty else {
            svg += #"<text x="0" y="\#(n(Self.top + 14))" class="chart-empty">no data</text></g></svg>"#
            return svg
        }
        let maximum = bars.map { max($0.value, 0) }.max() ?? 0
        for (i, bar) in bars.enumerated() {
            let y = Self.top + Double(i) * Self.rowHeight
            let w = maximum > 0 ? max(0, bar.value) / maximum * Self.barArea : 0
            svg += #"<text x="\#(n(Self.labelWidth - 6))" y="\#(n(y + 14))" text-anchor="end">\#(e(bar.label))</text>"#
            svg += ##"<rect x="\##(n(Self.labelWidth))" y="\##(n(y + 3))" width="\##(n(w))" height="\##(n(Self.rowHeight - 6))" class="bar" fill="#4a7bd0"/>"##
            svg += #"<text x="\#(n(Self.labelWidth + w + 6))" y="\#(n(y + 14))">\#(e(bar.display))</text>"#
        }
        return svg + "</g></svg>"
    }

    private func n(_ v: Double) -> String { ReportFormat.fixed(v, 1) }
}
