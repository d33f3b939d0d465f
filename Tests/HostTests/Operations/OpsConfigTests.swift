import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import ImagegenConfig
@testable import Operations

/// The `plans`, `alerts` and `metrics.report` sections of the config file.
final class OpsConfigTests: XCTestCase {
    private func configuration(_ text: String) throws -> Configuration {
        try Configuration.parse(Data(text.utf8), file: "test.json5")
    }

    func testNoPlansSectionMeansTheProductPlan() throws {
        let plan = try PlanConfiguration(configuration: try configuration("{}"))
        XCTAssertEqual(plan.plan, GenerationPlan.productDefault)
        XCTAssertTrue(plan.enabled)
        XCTAssertFalse(plan.fromConfig)
        let off = try PlanConfiguration(configuration: try configuration("{ plans: { enabled: false } }"))
        XCTAssertFalse(off.enabled)
        XCTAssertEqual(off.plan, GenerationPlan.productDefault)
    }

    func testPlansFromConfigAcceptSnakeCaseAndNeedATimeZone() throws {
        let plan = try PlanConfiguration(configuration: try configuration("""
            { plans: { time_zone: "America/New_York", catch_up_grace_minutes: 15,
                daily: { slots: [ { id: "a", start: "06:00", end: "06:30", category: "feet", template: "feet_closeup", count: { min: 1, max: 2 } } ] },
                weekly: [ { day: "sunday", replaces_daily: true, slots: [] } ] } }
            """))
        XCTAssertTrue(plan.fromConfig)
        XCTAssertEqual(plan.plan.timeZone, "America/New_York")
        XCTAssertEqual(plan.plan.catchUpGraceMinutes, 15)
        XCTAssertEqual(plan.plan.weekly.first?.replacesDaily, true)
        XCTAssertEqual(plan.plan.daily.slots.first?.count, ImageCount(min: 1, max: 2))

        XCTAssertThrowsError(try PlanConfiguration(configuration: try configuration("""
            { plans: { daily: { slots: [] } } }
            """))) { error in
            XCTAssertTrue("\(error)".contains("timeZone"), "\(error)")
        }
        XCTAssertThrowsError(try PlanConfiguration(configuration: try configuration(#"{ plans: { timeZone: "Nowhere/Else" } }"#))) { error in
            XCTAssertEqual(error as? GenerationPlanError, .unknownTimeZone("Nowhere/Else"))
        }
    }

    func testAlertSettingsDefaultsAndOverrides() throws {
        let defaults = try AlertSettings(configuration: try configuration("{}"))
        XCTAssertEqual(defaults.failureThreshold, 3)
        XCTAssertEqual(defaults.file, "alerts.log")
        XCTAssertNil(defaults.webhook)
        XCTAssertEqual(defaults.rules.map(\.name), ["ProviderFailing", "Budget", "ProviderSlow", "ProviderQuota", "SlotMissed",
                                                    "TemplateContentFiltered", "UploadQueueBacklog"])
        let s = try AlertSettings(configuration: try configuration("""
            { alerts: { file: false, provider_failures: { threshold: 5 },
                webhook: { url: "https://ops.example/hook", secret_env: "HOOK_SECRET", max_attempts: 3 },
                timing: { ProviderSlow: { pending_for_seconds: 120, keep_firing_for_seconds: 300 } } } }
            """))
        XCTAssertNil(s.file)
        XCTAssertEqual(s.failureThreshold, 5)
        XCTAssertEqual(s.webhook?.secretEnvironmentName, "HOOK_SECRET")
        XCTAssertEqual(s.webhook?.maxAttempts, 3)
        XCTAssertEqual(s.timing["ProviderSlow"], AlertTiming(pendingFor: 120, keepFiringFor: 300))
    }

    func testAlertSettingsRefuseSecretsAndNameTheKey() throws {
        XCTAssertThrowsError(try AlertSettings(configuration: try configuration("""
            { alerts: { webhook: { url: "https://ops.example/hook", secret: "hunter2-hunter2" } } }
            """))) { error in
            XCTAssertEqual(error as? AlertSettingsError, .secretInConfig(key: "alerts.webhook.secret"))
            XCTAssertFalse("\(error)".contains("hunter2"), "the secret is not repeated")
        }
        XCTAssertThrowsError(try AlertSettings(configuration: try configuration(#"{ alerts: { webhook: { url: "ftp://x" } } }"#))) {
            XCTAssertTrue("\($0)".contains("alerts.webhook.url"), "\($0)")
        }
        XCTAssertThrowsError(try AlertSettings(configuration: try configuration("{ alerts: { budget: { warn_ratio: 3 } } }"))) {
            XCTAssertTrue("\($0)".contains("alerts.budget.warn_ratio"), "\($0)")
        }
        XCTAssertThrowsError(try AlertSettings(configuration: try configuration("{ alerts: { provider_slow: { windw: 3 } } }"))) {
            XCTAssertTrue("\($0)".contains("alerts.provider_slow.windw"), "\($0)")
        }
    }

    func testReportSettingsFromTheMetricsSection() throws {
        let s = try ReportSource.settings(try configuration("{ metrics: { report: { quality_margin: 8, min_samples: 3 } } }"))
        XCTAssertEqual(s.qualityMargin, 8)
        XCTAssertEqual(s.minSamples, 3)
        XCTAssertEqual(s.lowQualityThreshold, ReportSettings().lowQualityThreshold)
        XCTAssertThrowsError(try ReportSource.settings(try configuration("{ metrics: { report: { margin: 8 } } }")))
    }

    func testSlotBudgetFitPricesTemplatesLikeTheQueue() throws {
        let host = try OpsHost(label: "fit", config: """
            budgets: { daily: 0.035, categories: { feet: { daily: 0.025 } } }, models: { preview: { price: { per_image: 0.01 } } }
            """)
        let phase = try host.phase()
        XCTAssertEqual(try phase.service.expectedCost(template: "feet_closeup", model: nil, templates: phase.templates), .priced(0.01))
        func requests(_ category: String, _ template: String, _ n: Int) -> [SlotJobRequest] {
            (1...n).map { SlotJobRequest(idempotencyKey: "k#\($0)", occurrenceKey: "k", slotID: "s", index: $0, category: category,
                                         template: template, model: nil, profile: nil) }
        }
        XCTAssertEqual(try phase.queue.budgetFit(requests("feet", "feet_closeup", 3)).count, 2, "the category's 0.025 allows 2")
        XCTAssertEqual(try phase.queue.budgetFit(requests("lingerie", "lingerie_black_lace", 5)).count, 3, "the global 0.035 allows 3")
        let fit = try phase.queue.budgetFit(requests("feet", "feet_closeup", 3))
        XCTAssertTrue(fit.reason?.contains("daily:feet") == true, fit.reason ?? "")
    }
}
