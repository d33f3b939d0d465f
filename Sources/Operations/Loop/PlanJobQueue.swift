import Foundation
import Catalog
import Pipeline

/// The job queue as a plan's slots see it: each `SlotJobRequest` becomes one template job,
/// queued under the request's idempotency key, and the budgets say how many fit before a run is
/// recorded.
///
/// `queue` is what makes a replayed slot run harmless: the catalog returns the job it already
/// queued under a key instead of queuing a second one (the job gets `<key>#0`, as job 0 of a
/// one-image batch), so a scheduler restarted between queuing and recording queues nothing twice.
public struct PlanJobQueue: Sendable {
    public let service: GenerationService
    public let templates: TemplateStore
    /// Called after queuing, so a runner in this process starts at once instead of at its next look.
    let wake: @Sendable () async -> Void

    public init(service: GenerationService, templates: TemplateStore, wake: @escaping @Sendable () async -> Void = {}) {
        self.service = service
        self.templates = templates
        self.wake = wake
    }

    /// Queues one job per request (in order) and returns their ids. Throws the first refusal
    /// (budget, validation, unknown template); the jobs queued before it stay queued under their
    /// keys, so the scheduler's retry of the same run continues where this one stopped.
    public func queue(_ requests: [SlotJobRequest]) async throws -> [String] {
        var ids: [String] = []
        do {
            for request in requests {
                let jobs = try service.enqueue(template: Self.templateRequest(for: request), templates: templates,
                                               idempotencyKey: request.idempotencyKey)
                ids += jobs.map(\.id)
            }
        } catch {
            if !ids.isEmpty { await wake() }
            throw error
        }
        await wake()
        return ids
    }

    /// The template request of one slot image. The seed derives from the idempotency key, so a
    /// replay builds the same prompt (and the plan's images differ from day to day).
    static func templateRequest(for request: SlotJobRequest) -> TemplateRequest {
        let seed = OccurrenceSeed(key: request.idempotencyKey).first % (UInt64(UInt32.max) + 1)
        return TemplateRequest(template: request.template, category: request.category, variations: 1,
                               model: request.model, seed: seed, profile: request.profile)
    }

    /// How many of `requests`, taken in order, fit every budget that applies to them now
    /// (global daily/monthly and the category's), priced as the queue will reserve them.
    /// Reserves nothing: the queue reserves in its own transaction when the jobs are queued.
    public func budgetFit(_ requests: [SlotJobRequest]) throws -> BudgetFit {
        let now = service.clock()
        let policy = service.budgets
        let categories = Array(Set(requests.map(\.category))).sorted()
        guard categories.contains(where: { !policy.windows(category: $0, at: now).isEmpty }) else {
            return .all(requests.count)
        }
        var remaining = Dictionary(try service.catalog.budgetStatus(policy, categories: categories, now: now)
            .map { ($0.name, $0.remaining) }, uniquingKeysWith: { first, _ in first })
        var prices: [String: TemplateCostEstimate] = [:]
        for (index, request) in requests.enumerated() {
            let priceKey = request.template + "|" + (request.model ?? "")
            let estimate = try prices[priceKey] ?? service.expectedCost(template: request.template, model: request.model,
                                                                        templates: templates)
            prices[priceKey] = estimate
            switch estimate {
            case let .unpriced(model):
                if policy.allowsUnpriced { continue }
                return BudgetFit(count: index, reason: "model \(model) has no known price and a budget is set (budgets.allow_unpriced is off)")
            case let .priced(cost):
                guard cost > 0 else { continue }
                for window in policy.windows(category: request.category, at: now) {
                    let left = remaining[window.name] ?? window.limit
                    if left + 1e-9 < cost {
                        return BudgetFit(count: index, reason: String(
                            format: "budget %@ has %.4f USD left of %.4f; each %@ image needs %.4f USD",
                            window.name, max(0, left), window.limit, request.template, cost))
                    }
                    remaining[window.name] = left - cost
                }
            }
        }
        return .all(requests.count)
    }
}
