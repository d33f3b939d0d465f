import Foundation
import Crypto
import ImagegenCore
import Security

/// What `HostSecurity.admitEnqueue` granted for one request: settled by `commit` once the jobs
/// are queued, or given back by `abandon` when the catalog refused them (a budget).
package struct EnqueueAdmission: Sendable {
    let security: HostSecurity
    let caller: Caller
    let tokenGrant: QuotaGrant?
    let model: String
    let category: String
    let extra: [String: String]

    /// The jobs are queued: audits the generation and ties the token grant to the jobs. Jobs
    /// created before `queuedAt` were queued by an earlier try of the same idempotent request:
    /// they were audited and counted then.
    package func commit(_ queued: [Job], queuedAt: Date = .distantPast) {
        let jobs = queued.filter { $0.createdAt.timeIntervalSince(queuedAt) > -0.002 }
        guard let first = jobs.first else {
            if let tokenGrant { security.quotas.settle(tokenGrant, deliveredImages: 0) }
            return
        }
        if let tokenGrant {
            security.quotas.settle(tokenGrant, deliveredImages: jobs.reduce(0) { $0 + $1.outputs })
            security.state.withLock { state in
                for job in jobs { state.tokenGrants[job.id] = QuotaGrant(scopes: tokenGrant.scopes, images: job.outputs, day: tokenGrant.day) }
            }
        }
        var details = ["model": model, "category": category, "jobs": jobs.map(\.id).joined(separator: ","),
                       "count": String(jobs.count)]
        for key in ["template", "template_version", "arm", "profile", "parent_id"] { details[key] = extra[key] }
        security.audit.record(.generation, subject: first.batchID, details: details, caller: caller)
    }

    /// The jobs were not queued: gives the token's quota back and audits a budget refusal.
    package func abandon(_ error: any Error) {
        if let tokenGrant { security.quotas.settle(tokenGrant, deliveredImages: 0) }
        if let refusal = error as? BudgetRefusal {
            security.audit.record(.budgetRefusal, subject: refusal.budget, details: [
                "limit": String(refusal.limit), "spent": String(refusal.spent), "reserved": String(refusal.reserved),
                "requested": String(refusal.requested), "model": model, "category": category,
                "resets_at": refusal.resetsAt.formatted(Date.ISO8601FormatStyle()),
            ], caller: caller)
        }
    }
}

extension HostSecurity {
    /// Everything that must hold before a request's jobs are queued, checked before any
    /// provider sees it: prompts can be stored (the host is not locked), every variation's
    /// prompt passes the content policy, the caller's API-token quota admits it (counted), and
    /// at least one provider that may serve it has quota left today (checked, counted at submit).
    /// Refusals are audited and thrown: `PolicyRefusal`, `QuotaExceeded`, `PromptAccessError`.
    package func admitEnqueue(_ request: ValidatedRequest, prompts variations: [(prompt: String, negativePrompt: String?)],
                             extra: [String: String]) throws -> EnqueueAdmission {
        let caller = Caller.effective
        if let reason = prompts.lockedReason { throw PromptAccessError.locked(reason: reason) }
        var checked = Set<String>()
        for variation in variations where checked.insert(variation.prompt + "\u{0}" + (variation.negativePrompt ?? "")).inserted {
            let decision = policy.evaluate(prompt: variation.prompt, negativePrompt: variation.negativePrompt,
                                           category: request.category, isAdultCategory: request.adult)
            if let refusal = decision.refusal {
                recordPolicyRefusal(refusal, subject: extra["template"].map { "template:\($0)" } ?? "request",
                                    model: request.model.name, category: request.category, caller: caller)
                throw refusal
            }
        }
        let images = variations.count
        var tokenGrant: QuotaGrant?
        if let token = caller.apiToken, quotas.isLimited(.apiToken(token)) {
            do {
                tokenGrant = try quotas.admit(scopes: [.apiToken(token)], images: images)
            } catch {
                recordQuotaRefusal(error, caller: caller)
                throw error
            }
        }
        let providers = Set(request.model.candidates
            .filter { ContentPolicy.modelMayServe(isAdultCategory: request.adult, modelAllowsNSFW: $0.nsfwAllowed) }
            .map(\.plugin))
        let limited = providers.filter { quotas.isLimited(.provider($0)) }
        if !providers.isEmpty, limited.count == providers.count {
            let refusals = limited.compactMap { quotas.refusal(scopes: [.provider($0)], images: images) }
            if refusals.count == limited.count, let first = refusals.min(by: { $0.resetsAt < $1.resetsAt }) {
                if let tokenGrant { quotas.settle(tokenGrant, deliveredImages: 0) }
                recordQuotaRefusal(first, caller: caller)
                throw first
            }
        }
        return EnqueueAdmission(security: self, caller: caller, tokenGrant: tokenGrant, model: request.model.name,
                                category: request.category, extra: extra)
    }

    /// Audits a content-policy refusal by rule (never the prompt or its triggers: the log is plaintext).
    func recordPolicyRefusal(_ refusal: PolicyRefusal, subject: String, model: String?, category: String,
                             caller: Caller? = nil) {
        var details = ["rule": refusal.ruleID, "category": category, "hard_block": refusal.isHardBlock ? "true" : "false"]
        if let model { details["model"] = model }
        audit.record(.policyRefusal, subject: subject, details: details, caller: caller)
    }

    func recordQuotaRefusal(_ refusal: QuotaExceeded, caller: Caller? = nil, job: String? = nil) {
        var details = ["limit": refusal.limit.kind.rawValue, "value": String(refusal.limit.value), "used": String(refusal.used),
                       "resets_at": refusal.resetsAtText]
        if let job { details["job"] = job }
        audit.record(.quotaRefusal, subject: refusal.limit.scope.storageKey, details: details, caller: caller)
    }

    /// The validator refused an adult request by a content-policy rule: audit it like any
    /// policy refusal. Call around `RequestValidator.validate`.
    package func auditingRefusals<T>(model: String?, category: String?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ValidationError {
            if let rule = error.policyRuleID {
                audit.record(.policyRefusal, subject: "request", details: ["rule": rule, "category": category ?? "",
                                                                           "model": model ?? "", "hard_block": "false"])
            }
            throw error
        }
    }
}
