import ImagegenConfig
import PluginHost
import Templates

/// Checks that cut across loaders: a template or plan slot that names a model or template that
/// does not exist, or puts adult content on a model whose terms forbid it. Each loader alone
/// accepted these (`model: "sdxl"`, a slot for a deleted template) and the mistake surfaced at
/// 06:00 when the slot ran; `imagegen plan`, `templates check` and `config check` ask here first.
package enum HostConsistency {
    /// Why `name` cannot carry this content, or nil when it can.
    package static func modelProblem(_ name: String, adult: Bool, models: ModelTable) -> String? {
        guard let entry = models.resolve(name) else {
            let known = models.sortedEntries.map(\.name)
            return "model \"\(name)\" is not a known model (known: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        }
        if adult && !entry.candidates.contains(where: \.nsfwAllowed) {
            return "model \"\(name)\" does not allow adult content under its provider's terms, and the content is adult"
        }
        return nil
    }

    /// Templates pinned to a model that does not exist or that forbids their (adult) content.
    package static func templateProblems(_ templates: [PromptTemplate], models: ModelTable) -> [(template: String, message: String)] {
        templates.compactMap { t in
            guard let model = t.model, let problem = modelProblem(model, adult: t.adult, models: models) else { return nil }
            return (t.name, "template \(t.name): \(problem)")
        }
    }

    /// Slot id → why the slot cannot run as written (unknown template, unknown model, adult on a
    /// model that forbids it). Maintenance slots name no template and are not checked.
    package static func slotProblems(_ slots: [PlanSlot], templates: TemplateLibrary, models: ModelTable) -> [String: String] {
        var problems: [String: String] = [:]
        for slot in slots {
            var reasons: [String] = []
            for name in slot.templates?.names ?? [] {
                guard let template = templates.template(named: name) else {
                    reasons.append("template \"\(name)\" does not exist")
                    continue
                }
                if let model = slot.model ?? template.model,
                   let problem = modelProblem(model, adult: template.adult, models: models) {
                    reasons.append("template \(name): \(problem)")
                }
            }
            if let model = slot.model, slot.templates?.names.isEmpty ?? true,
               let problem = modelProblem(model, adult: false, models: models) {
                reasons.append(problem)
            }
            if !reasons.isEmpty { problems[slot.id, default: ""] += (problems[slot.id] == nil ? "" : "; ") + reasons.joined(separator: "; ") }
        }
        return problems
    }
}
