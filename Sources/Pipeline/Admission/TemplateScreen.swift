import Foundation
import Security
import Templates

/// The content policy applied to every template when the library is loaded: a template that can
/// produce a prompt the policy refuses (with any choice of placeholder values, any experiment
/// arm) is taken out of the library and reported as a template problem — `templates check`
/// lists it and exits non-zero, and it can never be generated.
///
/// Checking a template explores its placeholder combinations, which is not free, so verdicts
/// can be remembered per template version (`memory`): a template is checked again only when it
/// changes, or when the policy or the program does.
public struct TemplateScreen: Sendable {
    /// Remembered verdicts, by template version.
    public struct Memory: Sendable {
        public var recall: @Sendable (TemplateVersion) -> PolicyDecision?
        public var remember: @Sendable (TemplateVersion, PolicyDecision) -> Void
        public init(recall: @escaping @Sendable (TemplateVersion) -> PolicyDecision?,
                    remember: @escaping @Sendable (TemplateVersion, PolicyDecision) -> Void) {
            self.recall = recall
            self.remember = remember
        }
    }

    let policy: ContentPolicy
    let memory: Memory?
    let onRefusal: @Sendable (_ template: PromptTemplate, _ refusal: PolicyRefusal) -> Void

    public init(policy: ContentPolicy, memory: Memory? = nil,
                onRefusal: @escaping @Sendable (_ template: PromptTemplate, _ refusal: PolicyRefusal) -> Void = { _, _ in }) {
        self.policy = policy
        self.memory = memory
        self.onRefusal = onRefusal
    }

    public func screen(_ library: TemplateLibrary) -> TemplateLibrary {
        var refused: [String: TemplateIssue] = [:]
        for template in library.templates {
            let version = template.version
            let decision: PolicyDecision
            if let known = memory?.recall(version) {
                decision = known
            } else {
                decision = refusal(of: template).map { .refused($0) } ?? .allowed
                memory?.remember(version, decision)
            }
            guard let refusal = decision.refusal else { continue }
            refused[template.name] = .policyRefused(rule: refusal.ruleID, message: refusal.message)
            onRefusal(template, refusal)
        }
        return library.refusing(refused)
    }

    /// The first refusal of the template's prompt or of any of its experiment arms.
    public func refusal(of template: PromptTemplate) -> PolicyRefusal? {
        let variants = [template] + (template.experiment?.arms ?? []).map { template.applying(arm: $0) }
        for variant in variants {
            let decision = policy.checkTemplate(name: template.name, prompt: variant.prompt,
                                                negativePrompt: variant.negativePrompt.isEmpty ? nil : variant.negativePrompt,
                                                placeholderValues: variant.placeholders, category: variant.category,
                                                isAdultCategory: variant.adult)
            if let refusal = decision.refusal { return refusal }
        }
        return nil
    }
}
