import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import Operations

/// `imagegen plan`, `stats`, `alerts` and `report` through the built binary.
final class OpsCLITests: XCTestCase {
    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testStatsJSONMatchesTheJobs() async throws {
        let host = try OpsHost(label: "cli-stats", config: """
            providers: { preview: { fail_every_n: 3, cost_usd: 0.02 } }, \(OpsAlertRulesLiveTests.failFast), budgets: { daily: 10 }
            """)
        let phase = try host.phase()
        let jobs = try await phase.runPrompts(3, category: "product")
        // Unscored images, as before post-processing: the quality mean must read null, not 0.
        try phase.catalog.database.query("UPDATE images SET quality_score = NULL")
        let ok = jobs.filter { $0.state == .succeeded }
        XCTAssertEqual(ok.count, 2)
        let durations = ok.map { $0.finishedAt!.timeIntervalSince($0.submittedAt!) }.sorted()

        let out = try host.host.cli(["stats", "--by", "provider", "--json"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let stats = try json(out.stdout)
        XCTAssertEqual(stats["by"] as? String, "provider")
        let group = try XCTUnwrap((stats["groups"] as? [[String: Any]])?.first)
        XCTAssertEqual(group["key"] as? String, "preview")
        XCTAssertEqual(group["attempts"] as? Int, 3)
        XCTAssertEqual(group["succeeded"] as? Int, 2)
        XCTAssertEqual(try XCTUnwrap(group["success_rate"] as? Double), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(group["duration_mean_s"] as? Double), (durations[0] + durations[1]) / 2, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(group["duration_p50_s"] as? Double), durations[0], accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(group["duration_p95_s"] as? Double), durations[1], accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(group["cost_per_image_usd"] as? Double), 0.02, accuracy: 1e-12)
        XCTAssertTrue(group["quality_mean"] is NSNull, "no score yet: null, not missing or 0")
        let budget = try XCTUnwrap((stats["budgets"] as? [[String: Any]])?.first)
        XCTAssertEqual(budget["name"] as? String, "daily")
        XCTAssertEqual(try XCTUnwrap(budget["remaining"] as? Double), 10 - 0.04, accuracy: 1e-9)

        let text = try host.host.cli(["stats", "--by", "category"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("product") && text.stdout.contains("66.7%"), text.stdout)
        XCTAssertEqual(try host.host.cli(["stats", "--by", "colour"]).status, 2)
    }

    func testReportHTMLIsWellFormedWithChartsAndTextAndJSONAgree() async throws {
        let host = try OpsHost(label: "cli-report", config: """
            plans: { time_zone: "UTC", daily: { slots: [] } }, providers: { preview: { cost_usd: 0.01 } }
            """)
        try await host.phase().runPrompts(2, category: "product")
        let today = CivilDate(Date(), in: TimeZone(identifier: "UTC")!).description
        let file = host.host.root + "/report.html"
        let out = try host.host.cli(["report", "--day", today, "--format", "html", "--output", file])
        XCTAssertEqual(out.status, 0, out.stderr)
        let html = try String(contentsOfFile: file, encoding: .utf8)
        final class Elements: NSObject, XMLParserDelegate {
            var counts: [String: Int] = [:]
            var text = ""
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) { counts[name, default: 0] += 1 }
            func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        }
        let parser = XMLParser(data: Data(html.utf8))
        let elements = Elements()
        parser.delegate = elements
        XCTAssertTrue(parser.parse(), "the HTML report parses as XML: \(parser.parserError.map { "\($0)" } ?? "")")
        XCTAssertGreaterThanOrEqual(elements.counts["svg"] ?? 0, 1, "inline charts")
        XCTAssertTrue(elements.text.contains("product"))
        XCTAssertFalse(html.contains("<script") || html.contains("src=") || html.contains("href="), "no scripts, no external assets")
        try OpsReportScreenshot.checkIfAvailable(file, in: host.host.root)

        let json = try host.host.cli(["report", "--day", today, "--format", "json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let report = try self.json(json.stdout)
        XCTAssertEqual((report["period"] as? [String: Any])?["label"] as? String, today)
        let categories = try XCTUnwrap(report["categories"] as? [[String: Any]])
        XCTAssertEqual(categories.first?["category"] as? String, "product")
        XCTAssertEqual(categories.first?["images"] as? Int, 2)

        let text = try host.host.cli(["report", "--week", "this"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("Images per category"), text.stdout)
        XCTAssertEqual(try host.host.cli(["report", "--day", "2026-02-30"]).status, 2)
        XCTAssertEqual(try host.host.cli(["report", "--day", today, "--week", "this"]).status, 2)
    }

    func testPlanListsSevenDaysRunsOncePerRequestAndKeepsHistory() throws {
        let host = try OpsHost(label: "cli-plan", config: "")
        let list = try host.host.cli(["plan", "--json"])
        XCTAssertEqual(list.status, 0, list.stderr)
        let plan = try json(list.stdout)
        XCTAssertEqual(plan["time_zone"] as? String, "Europe/Paris")
        XCTAssertEqual(plan["source"] as? String, "default")
        let runs = try XCTUnwrap(plan["runs"] as? [[String: Any]])
        let upcoming = try PlanSchedule(plan: .productDefault).upcoming(from: Date(), days: 7)
        XCTAssertEqual(runs.count, upcoming.count)
        XCTAssertGreaterThan(runs.count, 20, "7 days of the product plan")
        // A rolling 7 × 24 h window: today's remaining slots, six whole dates, and the next date's slots before this hour.
        XCTAssertEqual(Set(runs.compactMap { $0["local_date"] as? String }).count, Set(upcoming.map { "\($0.localDate)" }).count)
        XCTAssertTrue((6...8).contains(Set(upcoming.map { "\($0.localDate)" }).count))

        let first = try host.host.cli(["plan", "run", "daily/feet", "--request-id", "cli-1", "--json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let again = try host.host.cli(["plan", "run", "daily/feet", "--request-id", "cli-1", "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        func jobIDs(_ text: String) throws -> [String] {
            try XCTUnwrap((try json(text)["run"] as? [String: Any])?["jobIDs"] as? [String])
        }
        XCTAssertEqual(try jobIDs(first.stdout), try jobIDs(again.stdout), "the same request id runs once")
        let jobs = try XCTUnwrap(try json(first.stdout)["jobs"] as? [[String: Any]])
        XCTAssertTrue(jobs.allSatisfy { $0["state"] as? String == "succeeded" }, "plan run waits for its jobs")

        let history = try host.host.cli(["plan", "history", "--json"])
        XCTAssertEqual(history.status, 0, history.stderr)
        let recorded = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(recorded.map { $0["occurrenceKey"] as? String }, ["daily/feet@manual-cli-1"])
        // The run's jobs all succeeded: that is what history says, not the queuing step's "queued".
        XCTAssertEqual(recorded.map { $0["status"] as? String }, ["queued"], "the run record itself is unchanged")
        XCTAssertEqual(recorded.map { $0["outcome"] as? String }, ["succeeded"])
        let table = try host.host.cli(["plan", "history"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let line = try XCTUnwrap(table.stdout.split(separator: "\n").first { $0.contains("daily/feet@manual-cli-1") })
        XCTAssertTrue(line.contains("succeeded") && !line.contains("queued"), String(line))
        XCTAssertEqual(try host.host.cli(["plan", "run", "no/such-slot"]).status, 2)
    }

    func testAlertsListsActiveAndResolved() throws {
        let host = try OpsHost(label: "cli-alerts", config: "")
        let store = try CatalogAlertStore(catalog: try host.host.catalog())
        let t0 = Date().addingTimeInterval(-600)
        _ = try store.insertIfNotActive(Alert(id: "BudgetNearlySpent/daily", rule: "BudgetNearlySpent", subject: "daily",
                                              severity: .warning, startedAt: t0, message: "budget daily has used 80%"))
        _ = try store.insertIfNotActive(Alert(id: "ProviderFailing/preview", rule: "ProviderFailing", subject: "preview",
                                              severity: .critical, startedAt: t0.addingTimeInterval(60), message: "failed 4 times"))
        try store.resolve(id: "ProviderFailing/preview", startedAt: t0.addingTimeInterval(60), endedAt: t0.addingTimeInterval(120))
        let all = try host.host.cli(["alerts", "--json"])
        XCTAssertEqual(all.status, 0, all.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["id"] as? String }, ["ProviderFailing/preview", "BudgetNearlySpent/daily"])
        XCTAssertEqual(rows.map { $0["status"] as? String }, ["resolved", "firing"])
        XCTAssertTrue(rows[1]["ended_at"] is NSNull)
        let active = try host.host.cli(["alerts", "--active"])
        XCTAssertEqual(active.status, 0, active.stderr)
        XCTAssertTrue(active.stdout.contains("BudgetNearlySpent/daily") && !active.stdout.contains("ProviderFailing"), active.stdout)
    }
}

/// A headless-browser rendering of the HTML report, when a Chromium is installed (optional: the
/// XML parse above is the required check). The screenshot must be a non-trivial PNG.
enum OpsReportScreenshot {
    static func checkIfAvailable(_ html: String, in folder: String) throws {
        guard let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile) else {
            return
        }
        let png = folder + "/report.png"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=\(folder)/chromium-profile", "--window-size=1200,1600",
                             "--screenshot=\(png)", "file://\(html)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            XCTFail("chromium did not finish the screenshot within 60 s")
            return
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        XCTAssertGreaterThan(bytes.count, 10_000, "the page rendered something")
    }
}
