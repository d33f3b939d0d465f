import Foundation
import ImagegenCore
import Catalog
import Pipeline

/// The host's metric set (reference/operations.md §4), declared once on a registry, with the
/// update calls the rest of the host makes. Names follow Prometheus practice: `imagegen_` prefix,
/// base units (seconds, USD), `_total` on counters, bounded label values only (model and provider
/// names from config, never prompts or ids).
public struct HostMetrics: Sendable {
    public let registry: MetricsRegistry
    public let generations: CounterMetric
    public let generationDuration: HistogramMetric
    public let providerErrors: CounterMetric
    public let cost: CounterMetric
    public let unknownCostImages: CounterMetric
    public let qualityScore: HistogramMetric
    public let budgetSpent: GaugeMetric
    public let budgetRemaining: GaugeMetric
    public let budgetLimit: GaugeMetric
    public let httpRequests: CounterMetric
    public let httpDuration: HistogramMetric
    public let circuitOpen: GaugeMetric
    public let jobs: GaugeMetric
    public let slotRuns: CounterMetric
    public let lastSlotSuccess: GaugeMetric
    public let alerts: GaugeMetric
    public let alertNotifications: CounterMetric
    public let buildInfo: GaugeMetric
    public let postProcessingRuns: CounterMetric
    public let postProcessingDuration: HistogramMetric
    public let postProcessingWaiting: GaugeMetric

    /// Quality score buckets: the score is 0–100.
    public static let qualityBuckets: [Double] = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]

    public init(registry: MetricsRegistry = MetricsRegistry(), version: String) throws(MetricsRegistryError) {
        self.registry = registry
        generations = try registry.counter("imagegen_generations_total",
            help: "Finished provider attempts by model, provider and final status.", labels: ["model", "provider", "status"])
        generationDuration = try registry.histogram("imagegen_generation_duration_seconds",
            help: "Time from submit to the final state of succeeded attempts.", labels: ["model", "provider"],
            buckets: HistogramMetric.generationSecondsBuckets)
        providerErrors = try registry.counter("imagegen_provider_errors_total",
            help: "Failed provider attempts by error class.", labels: ["provider", "kind"])
        cost = try registry.counter("imagegen_cost_usd_total",
            help: "Known cost of attempts in USD (unknown costs are not counted; see imagegen_unknown_cost_images_total).",
            labels: ["model", "category"])
        unknownCostImages = try registry.counter("imagegen_unknown_cost_images_total",
            help: "Succeeded images whose cost is unknown.", labels: ["model"])
        qualityScore = try registry.histogram("imagegen_quality_score",
            help: "Automatic quality score (0-100) of generated images.", labels: ["model"],
            buckets: Self.qualityBuckets)
        budgetSpent = try registry.gauge("imagegen_budget_spent_usd",
            help: "Spent plus reserved USD in the budget's current period.", labels: ["budget"])
        budgetRemaining = try registry.gauge("imagegen_budget_remaining_usd",
            help: "USD left in the budget's current period.", labels: ["budget"])
        budgetLimit = try registry.gauge("imagegen_budget_limit_usd",
            help: "The budget's limit for its period in USD.", labels: ["budget"])
        httpRequests = try registry.counter("imagegen_http_requests_total",
            help: "HTTP API requests by route template and status code.", labels: ["route", "code"])
        httpDuration = try registry.histogram("imagegen_http_request_duration_seconds",
            help: "HTTP API request handling time.", labels: ["route"], buckets: HistogramMetric.httpSecondsBuckets)
        circuitOpen = try registry.gauge("imagegen_provider_circuit_open",
            help: "1 while the circuit of a routing candidate is open.", labels: ["provider", "model"])
        jobs = try registry.gauge("imagegen_jobs", help: "Jobs by state.", labels: ["state"])
        slotRuns = try registry.counter("imagegen_slot_runs_total",
            help: "Scheduled slot runs by slot and final status.", labels: ["slot", "status"])
        lastSlotSuccess = try registry.gauge("imagegen_last_slot_success_timestamp_seconds",
            help: "Unix time of the last slot run whose jobs were queued or maintenance completed.", labels: ["slot"])
        alerts = try registry.gauge("imagegen_alerts",
            help: "Active alerts by rule (1 per firing alert instance).", labels: ["alertname", "state"])
        alertNotifications = try registry.counter("imagegen_alert_notifications_total",
            help: "Alert notifications by sink and outcome.", labels: ["sink", "outcome"])
        postProcessingRuns = try registry.counter("imagegen_post_processing_runs_total",
            help: "Post-processing runs of the background queue by trigger and result (done, failed, skipped).",
            labels: ["trigger", "result"])
        postProcessingDuration = try registry.histogram("imagegen_post_processing_duration_seconds",
            help: "Time to render, score and store the derivatives of one image.", labels: [],
            buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])
        postProcessingWaiting = try registry.gauge("imagegen_post_processing_waiting",
            help: "Images queued or being rendered by the post-processing queue.", labels: [])
        buildInfo = try registry.gauge("imagegen_build_info", help: "Constant 1, labelled with the host version.",
                                       labels: ["version"])
        buildInfo.set(1, labels: ["version": version])
    }

    /// Call once per finished provider attempt.
    public func record(_ r: GenerationRecord) {
        generations.increment(labels: ["model": r.model, "provider": r.provider, "status": r.outcome.rawValue])
        if r.outcome == .succeeded {
            generationDuration.observe(r.durationSeconds, labels: ["model": r.model, "provider": r.provider])
            if r.costUSD == nil { unknownCostImages.increment(labels: ["model": r.model]) }
        }
        if r.outcome == .failed {
            providerErrors.increment(labels: ["provider": r.provider, "kind": (r.failureKind ?? .providerError).rawValue])
        }
        if let c = r.costUSD {
            cost.increment(by: c, labels: ["model": r.model, "category": r.category])
        }
        if let q = r.qualityScore { qualityScore.observe(q, labels: ["model": r.model]) }
    }

    /// Call after every image the post-processing queue worked on.
    public func record(_ report: PostProcessingReport) {
        postProcessingRuns.increment(labels: ["trigger": report.trigger.rawValue, "result": report.result.rawValue])
        if report.result == .done { postProcessingDuration.observe(report.seconds, labels: [:]) }
        postProcessingWaiting.set(Double(report.waiting), labels: [:])
    }

    /// Call with the budgets' current state (`CatalogStore.budgetStatus`, e.g. before each scrape).
    /// "Spent" includes open reservations.
    public func update(budgets: [BudgetStatus]) {
        func gauge(_ value: (BudgetStatus) -> Double) -> [([String: String], Double)] {
            budgets.map { (["budget": $0.name], value($0)) }
        }
        budgetSpent.replaceAll(gauge { $0.spent + $0.reserved })
        budgetRemaining.replaceAll(gauge(\.remaining))
        budgetLimit.replaceAll(gauge(\.limit))
    }

    /// Call once per HTTP request with the route template (e.g. "/v1/images/{id}"), never the raw path.
    public func recordHTTP(route: String, code: Int, durationSeconds: Double) {
        httpRequests.increment(labels: ["route": route, "code": String(code)])
        httpDuration.observe(durationSeconds, labels: ["route": route])
    }

    /// Feed every scheduler event here.
    public func record(_ event: SchedulerEvent) {
        guard let run = event.run, run.status.isFinal else { return }
        slotRuns.increment(labels: ["slot": run.slotID, "status": run.status.rawValue])
        if run.status == .queued || run.status == .completed {
            lastSlotSuccess.set(run.updatedAt.timeIntervalSince1970, labels: ["slot": run.slotID])
        }
    }
}
