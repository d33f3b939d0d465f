import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Host
@testable import Operations

final class ReportsRenderTests: XCTestCase {
    /// Counts elements while parsing strictly as XML; records the first error.
    final class ElementCounter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        var texts: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            counts[name, default: 0] += 1
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
    }

    private func parseXML(_ html: String) -> (ok: Bool, counter: ElementCounter, error: String?) {
        let parser = XMLParser(data: Data(html.utf8))
        let counter = ElementCounter()
        parser.delegate = counter
        let ok = parser.parse()
        return (ok, counter, parser.parserError.map { "\($0)" })
    }

    func testTextReport() {
        let text = ReportTextRenderer.render(ReportsFixture.report)
        XCTAssertTrue(text.hasPrefix("imagegen report — week 2026-W48 (Europe/Paris, 2026-11-23 00:00 – 2026-11-30 00:00)"), text)
        XCTAssertTrue(text.contains("Totals: 18 images from 20 attempts, success rate 90.0%, spent 0.5000 USD (+ 8 images of unknown cost)"), text)
        XCTAssertTrue(text.contains("Slowest provider: stability (p50 10.0 s, p95 10.0 s over 5 successes)"), text)
        XCTAssertTrue(text.contains("  1. For feet, budget costs 0.0200 USD per image"), text)
        XCTAssertTrue(text.contains("lace-wording: A (mean 72.0, 40 samples, P(best) 97.0%)"), text)
    }

    func testJSONReportDecodesBack() throws {
        let data = try ReportJSONRenderer.render(ReportsFixture.report)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual((object["period"] as? [String: Any])?["label"] as? String, "2026-W48")
        XCTAssertEqual((object["suggestions"] as? [[String: Any]])?.count, 5)
        XCTAssertEqual(object["start"] as? String, "2026-11-22T23:00:00Z")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let back = try decoder.decode(Report.self, from: data)
        XCTAssertEqual(back.period, .isoWeek(year: 2026, week: 48))
        XCTAssertEqual(back.suggestions, ReportsFixture.report.suggestions)
        XCTAssertEqual(back.categories.map(\.images), [10, 8])
    }

    func testHTMLIsWellFormedAndHasTheCharts() throws {
        let html = ReportHTMLRenderer.render(ReportsFixture.report)
        let (ok, counter, error) = parseXML(html)
        XCTAssertTrue(ok, "the HTML report must parse as XML: \(error ?? "")")
        XCTAssertEqual(counter.counts["svg"], 5, "categories ×2, provider latency, model quality, budgets")
        XCTAssertEqual(counter.counts["rect"], 2 + 2 + 2 + 2 + 1)
        XCTAssertGreaterThanOrEqual(counter.counts["table"] ?? 0, 3)
        XCTAssertFalse(html.contains("<script"), "no scripts")
        XCTAssertFalse(html.contains("src=") || html.contains("href="), "no external assets")
        XCTAssertTrue(html.contains(#"<li data-kind="cheaper_model">"#))
    }

    func testHTMLEscapesHostileNamesAndStillParses() throws {
        var input = ReportsFixture.input
        input.records = input.records.map { r in
            var r = r
            if r.model == "premium" { r.model = #"<script>alert("x")</script>&'"#; r.provider = "a<b" }
            return r
        }
        let html = ReportHTMLRenderer.render(ReportBuilder.build(input, generatedAt: ReportsFixture.wednesday))
        XCTAssertFalse(html.contains("<script>"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"))
        let (ok, counter, error) = parseXML(html)
        XCTAssertTrue(ok, error ?? "")
        XCTAssertNil(counter.counts["script"])
        XCTAssertTrue(counter.texts.joined().contains(#"<script>alert("x")</script>&'"#), "the name survives as text")
    }

    func testHTMLParsesWithPythonsParsers() throws {
        let html = ReportHTMLRenderer.render(ReportsFixture.report)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("report.html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        // html.parser: the tags open and close in order; ElementTree: strict XML.
        let script = #"""
        import sys, html.parser, xml.etree.ElementTree as ET
        text = open(sys.argv[1], encoding="utf-8").read()
        void = {"meta", "br", "img", "hr", "input", "link"}
        class Check(html.parser.HTMLParser):
            def __init__(self):
                super().__init__(); self.stack = []; self.svgs = 0
            def handle_starttag(self, tag, attrs):
                if tag == "svg": self.svgs += 1
                if tag not in void: self.stack.append(tag)
            def handle_startendtag(self, tag, attrs):
                pass
            def handle_endtag(self, tag):
                if not self.stack or self.stack.pop() != tag: raise SystemExit("mismatched </%s>" % tag)
        c = Check(); c.feed(text); c.close()
        if c.stack: raise SystemExit("unclosed: %s" % c.stack)
        root = ET.fromstring(text.split("\n", 1)[1])
        ns = "{http://www.w3.org/2000/svg}"
        print(c.svgs, len(root.findall(".//" + ns + "svg")))
        """#
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, errors)
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "5 5")
    }

    func testEmptyReportRenders() throws {
        let report = ReportBuilder.build(ReportInput(period: .day(CivilDate(parsing: "2026-11-25")!),
                                                     timeZone: ReportsFixture.zone, records: []),
                                         generatedAt: ReportsFixture.wednesday)
        let (ok, _, error) = parseXML(ReportHTMLRenderer.render(report))
        XCTAssertTrue(ok, error ?? "")
        XCTAssertTrue(ReportTextRenderer.render(report).contains("none: nothing in the data calls for a change"))
        XCTAssertTrue(ReportHTMLRenderer.render(report).contains("no data"))
    }
}
