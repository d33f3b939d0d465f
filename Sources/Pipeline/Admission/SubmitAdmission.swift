import Foundation
import Catalog
import ImagegenCore
import PluginHost
import Security

/// What the runner does with a candidate provider for a job, decided just before the job is
/// sent (`HostSecurity.admitSubmit`).
enum SubmitAdmission: Sendable {
    /// Send it.
    case proceed
    /// This provider's quota refuses it: try the next candidate.
    case skip(QuotaExceeded)
    /// No provider may see it: end the job with this error.
    case refuse(code: String, message: String)
}

extension HostSecurity {
    /// The last gate before a provider sees a job, in the process that runs jobs:
    /// - the job's prompt must open with the keys held now (never send `[encrypted]`);
    /// - the content policy is applied again — the prompt itself (hard blocks first), then the
    ///   attestation for adult categories — so a job queued before a policy change, or by another path, cannot slip
    ///   through;
    /// - the provider's quota (requests per minute, images per day) admits the job, counted now
    ///   because only now is the provider known (a fail-over moves the count to the next one).
    func admitSubmit(_ job: Job, candidate: ModelTable.Candidate, adult: Bool, catalog: any CatalogStore) -> SubmitAdmission {
        let system = Caller.system("runner")
        if let protected = catalog as? any PromptProtectedStore {
            let readable: Bool
            do {
                readable = try protected.jobPromptIsReadable(job.id)
            } catch {
                // Not known to be readable: never send it; say it is the catalog, not the key.
                return .refuse(code: "catalog", message: "cannot check that the job's prompt can be decrypted: \(error)")
            }
            if !readable { return .refuse(code: "prompt_unreadable", message: "the job's prompt cannot be decrypted with the keys held now "
                           + "(\(prompts.lockedReason ?? "its key is not in the ring")); add the key that encrypted it as a previous key") }
        }
        // The prompt first: a hard block is the answer even when the route would refuse too.
        for decision in [policy.evaluate(prompt: job.prompt, negativePrompt: job.negativePrompt, category: job.category,
                                         isAdultCategory: adult),
                         policy.checkRouting(isAdultCategory: adult, modelAllowsNSFW: candidate.nsfwAllowed)] {
            if let refusal = decision.refusal {
                recordPolicyRefusal(refusal, subject: job.id, model: job.model, category: job.category, caller: system)
                return .refuse(code: "policy_refused", message: refusal.description)
            }
        }
        let scope = QuotaScope.provider(candidate.plugin)
        guard quotas.isLimited(scope) else { return .proceed }
        do {
            let grant = try quotas.admit(scopes: [scope], images: job.outputs)
            let previous = state.withLock { state -> QuotaGrant? in
                defer { state.providerGrants[job.id] = grant }
                return state.providerGrants[job.id]
            }
            // The job failed over from a provider that never delivered: give its count back.
            if let previous { quotas.settle(previous, deliveredImages: 0) }
            return .proceed
        } catch {
            recordQuotaRefusal(error, caller: system, job: job.id)
            return .skip(error)
        }
    }

    /// The refusal to report when every candidate's quota refused a job: the one that frees up first.
    func quotaFailure(_ refusals: [QuotaExceeded]) -> (code: String, message: String)? {
        guard let first = refusals.min(by: { $0.resetsAt < $1.resetsAt }) else { return nil }
        return ("quota_exceeded", first.description)
    }

    /// A job ended: settles its quotas (only delivered images count) and audits a provider's
    /// content-filter outcome, which is final — it is never retried on another provider.
    func jobFinished(_ job: Job, state final: JobState, error: (String, String)?) {
        let delivered = final == .succeeded ? job.outputs : 0
        let grants = state.withLock { state -> [QuotaGrant] in
            defer {
                state.providerGrants[job.id] = nil
                state.tokenGrants[job.id] = nil
            }
            return [state.providerGrants[job.id], state.tokenGrants[job.id]].compactMap { $0 }
        }
        for grant in grants { quotas.settle(grant, deliveredImages: delivered) }
        if final == .contentFiltered {
            // try?: the audit falls back to the job as the runner holds it; only template/arm details may be missing
            let job = (try? catalog?.job(job.id)) ?? job
            var details = ["model": job.model, "category": job.category, "plugin": job.pluginID ?? ""]
            for key in ["template", "template_version", "arm"] { details[key] = job.extra[key] }
            audit.record(.contentFiltered, subject: job.id, details: details, caller: Caller.system("runner"))
        }
    }
}
