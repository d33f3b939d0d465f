import Foundation
import Catalog
import ImagegenCore
import PluginHost

/// Events the host audits on its own, outside a request: budget changes (the configured
/// budgets differ from those of the last start) and plugin loads, refusals, swaps and removals.
extension HostSecurity {
    /// Compares the configured budgets with those recorded at the last start and audits a change.
    package func recordBudgetChange(in catalog: any SecurityStateStore) {
        let current = SortedJSON.encode(budgets)
        do {
            let previous = try catalog.securityState("budgets")
            guard previous != current else { return }
            try catalog.setSecurityState("budgets", to: current, now: Date())
            if previous == nil && BudgetPolicy(settings: budgets).isEmpty { return }
            audit.record(.budgetChange, subject: "budgets", details: ["old": previous ?? "none recorded", "new": current],
                         caller: Caller.system("config"))
        } catch {
            log.warning("cannot compare the budgets with the last start: \(error)", source: "audit")
        }
    }

    /// Audits what a rescan of the plugins folder changed, and teaches the redaction the secrets
    /// of newly loaded plugins.
    package func recordPluginChanges(_ changes: [PluginSet.Change], plugins: PluginSet) {
        let system = Caller.system("plugins")
        for change in changes {
            switch change {
            case .loaded(let file, let id, let version, let generation):
                let hash = plugins.generation(forPlugin: id)?.contentHash ?? ""
                audit.record(.pluginLoad, subject: id, details: ["file": file, "version": version, "generation": String(generation),
                                                                 "content_sha256": hash], caller: system)
                learnSecrets(of: id, plugins: plugins)
            case .swapped(let file, let id, let from, let to):
                let hash = plugins.generation(forPlugin: id)?.contentHash ?? ""
                audit.record(.pluginSwap, subject: id, details: ["file": file, "from_generation": String(from),
                                                                 "to_generation": String(to), "content_sha256": hash], caller: system)
                learnSecrets(of: id, plugins: plugins)
            case .refused(let refusal):
                audit.record(.pluginRefusal, subject: refusal.file, details: ["reason": refusal.description], caller: system)
            case .removed(let file, let id):
                audit.record(.pluginRemoval, subject: id, details: ["file": file], caller: system)
            }
        }
    }

    private func learnSecrets(of plugin: String, plugins: PluginSet) {
        for name in plugins.generation(forPlugin: plugin)?.manifest.secrets ?? [] {
            _ = secretSource.secret(named: name)
        }
    }

    /// A cancellation asked for by the effective caller (the CLI and the API call this).
    package func recordCancellation(of job: Job) {
        audit.record(.cancellation, subject: job.id, details: ["state": job.state.rawValue, "model": job.model])
    }

    /// One call of the HTTP API, by the effective caller (`Caller.$current`): the server calls
    /// this once per request with the method, path and status. A GET or HEAD changes nothing, so
    /// its entry is synced shortly after without the response waiting for the disk.
    package func recordAPICall(method: String, path: String, status: Int) {
        audit.record(.apiCall, subject: "\(method) \(path)", details: ["status": String(status)],
                     changesState: method != "GET" && method != "HEAD")
    }
}
