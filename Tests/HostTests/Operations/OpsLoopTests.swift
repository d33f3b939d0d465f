import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import ImagegenCore
@testable import Operations
@testable import Pipeline
@testable import PluginHost

/// The loop as serve runs it: real clock, a real runner, the plan from config, alerts evaluated
/// after jobs finish and delivered to the sinks the config names (log, file, signed webhook).
final class OpsLoopTests: XCTestCase {
    /// A secret source holding only the webhook secret.
    struct WebhookSecret: SecretSource {
        var value: String
        func secret(named name: String) -> String? { name == "OPS_TEST_WEBHOOK_SECRET" ? value : nil }
        var knownValues: [String] { [value] }
    }

    /// A slot whose window holds the current time (UTC).
    static func slotNow(count: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.hour, .minute], from: Date())
        let start = String(format: "%02d:%02d", c.hour!, c.minute!)
        let endMinutes = min(24 * 60, c.hour! * 60 + c.minute! + 30)
        let end = String(format: "%02d:%02d", endMinutes / 60, endMinutes % 60)
        return """
            plans: { time_zone: "UTC", daily: { slots: [
              { id: "now/product", start: "\(start)", end: "\(end)", category: "product", template: "product_packshot", count: \(count) } ] } }
            """
    }

    func testServeLoopRunsTheSlotAlertsAfterFailuresAndDeliversToLogFileAndSignedWebhook() async throws {
        let secret = "whsec-test-\(UUID().uuidString)"
        let receiver = try AlertsWebhookTestServer(statuses: ["200"], secret: secret)
        defer { receiver.stop() }
        let host = try OpsHost(label: "loop", config: """
            \(Self.slotNow(count: 4)),
            providers: { preview: { fail_every_n: 1, fail_status: 10 } }, \(OpsAlertRulesLiveTests.failFast),
            alerts: { evaluate_every_seconds: 3600, webhook: { url: "\(receiver.url.absoluteString)", secret_env: "OPS_TEST_WEBHOOK_SECRET" } }
            """)
        let phase = try host.phase(secrets: WebhookSecret(value: secret))
        // The plan was installed an hour ago, so the slot under way now is due.
        _ = try CatalogSlotRunStore(catalog: phase.catalog).firstStart(now: Date().addingTimeInterval(-3600))
        let runner = JobRunner(service: phase.service)
        await runner.start()
        let loop = try OperationsLoop(service: phase.service, templates: phase.templates, catalog: phase.catalog,
                                      slotRuns: try phase.catalog.openSlotRunStore(), alerts: try phase.catalog.openAlertStore(),
                                      hooks: .init(wakeRunner: { await runner.wake() },
                                                   jobsChanged: { await runner.waitForChange(milliseconds: 1000) }))
        await loop.start()
        // The first evaluation ran at start (before any job); the next comes only after jobs finish.
        let deadline = Date().addingTimeInterval(30)
        var active: [Alert] = []
        while Date() < deadline {
            active = try loop.alertStore.activeAlerts()
            if !active.isEmpty { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        await loop.stop()
        await runner.stop(grace: 1)
        XCTAssertEqual(active.map(\.id), ["ProviderFailing/preview"])

        let run = try XCTUnwrap(phase.catalog.slotRun(try XCTUnwrap(phase.catalog.slotRunKeys().first)))
        XCTAssertEqual(run.status, .queued)
        XCTAssertEqual(run.jobIDs.count, 4)
        XCTAssertTrue(try phase.catalog.jobs(ids: run.jobIDs).allSatisfy { $0.state == .failed })

        let line = try String(contentsOfFile: host.paths.data + "/alerts.log", encoding: .utf8)
        XCTAssertTrue(line.contains(#""type":"alert.firing""#) && line.contains("ProviderFailing/preview"), line)
        XCTAssertTrue(host.host.lines.lines.contains { $0.contains("alert firing [critical] ProviderFailing/preview") })
        let requests = try receiver.requests()
        XCTAssertEqual(requests.count, 1)
        XCTAssertEqual(requests.first?.signature_ok, true, "signed with the secret from the environment")
        XCTAssertEqual(requests.first?.event, "alert.firing")
        XCTAssertFalse(host.host.lines.lines.joined().contains(secret), "the secret never reaches the log")

        let metrics = await loop.metricsText()
        XCTAssertEqual(OpsMetricsTests.sample(metrics, #"imagegen_alerts{alertname="ProviderFailing",state="firing"}"#), 1)
        XCTAssertEqual(OpsMetricsTests.sample(metrics, #"imagegen_slot_runs_total{slot="now/product",status="queued"}"#), 1)
        XCTAssertEqual(OpsMetricsTests.sample(metrics, #"imagegen_alert_notifications_total{sink="webhook",outcome="delivered"}"#), 1)
    }

    /// Jobs finishing back to back nudge the evaluation continuously; it runs at most once a
    /// second, not once per nudge (each reads recent history, so it would grow with the catalog).
    func testNudgesFromFinishingJobsAreSpacedAtLeastASecondApart() async throws {
        let host = try OpsHost(label: "loop-spacing", config: "plans: { enabled: false }")
        let generator = try host.host.generator()
        let loop = try OperationsLoop(generator: generator)
        await loop.start()
        let end = Date().addingTimeInterval(2.5)
        var nudges = 0
        while Date() < end {
            loop.jobFinished()
            nudges += 1
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        let evaluations = await loop.evaluations
        XCTAssertGreaterThanOrEqual(evaluations, 2, "nudges still lead to evaluations")
        XCTAssertLessThanOrEqual(evaluations, 4, "\(evaluations) evaluations for \(nudges) nudges in 2.5 s")
        await loop.stop()
        await generator.shutdown()
    }

    func testTheLibraryGeneratorsLoopStartsAndStops() async throws {
        let host = try OpsHost(label: "loop-generator", config: "plans: { enabled: false }")
        let generator = try host.host.generator()
        let loop = try OperationsLoop(generator: generator)
        XCTAssertNil(loop.scheduler, "plans.enabled: false keeps the scheduler off")
        await loop.start()
        await loop.start()
        _ = try await generator.generateCustom(prompt: "a teapot", parameters: GenerationParameters(width: 64, height: 64))
        let text = await loop.metricsText()
        XCTAssertEqual(OpsMetricsTests.sample(text, #"imagegen_generations_total{model="preview",provider="preview",status="succeeded"}"#), 1)
        await loop.stop()
        await loop.stop()
        await generator.shutdown()
    }
}

extension SQLiteCatalog {
    /// Every recorded occurrence key (test shorthand).
    func slotRunKeys() throws -> [String] {
        try CatalogSlotRunStore(catalog: self).history(since: nil, limit: 100).map(\.occurrenceKey)
    }
}
