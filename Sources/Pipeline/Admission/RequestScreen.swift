import Foundation
import ImagegenCore
import Security

/// The first gate of every request, before validation: the content policy's hard blocks, then
/// adult wording outside adult categories. Running before the validator means a hard line is
/// the answer even when the attestation, a budget, a quota or the route would refuse too, and
/// a prompt with adult wording is never filed under the default (non-adult) category.
extension GenerationService {
    /// The request as it may go on (its category possibly set to an adult one when
    /// `policy.reclassify_adult` is on), or a thrown, audited `PolicyRefusal`.
    func screen(_ request: GenerationRequest) throws -> GenerationRequest {
        let security = runtime.security
        let policy = security.policy
        let categories = runtime.configuration.categories.merging(extraCategories()) { a, _ in a }
        let category = request.category ?? runtime.configuration.defaults.category
        let isAdult = categories[category]?.adult ?? false
        func refuse(_ refusal: PolicyRefusal, category: String) -> PolicyRefusal {
            security.recordPolicyRefusal(refusal, subject: "request", model: request.model, category: category,
                                         caller: Caller.effective)
            return refusal
        }
        if let refusal = policy.checkHardBlocks(prompt: request.prompt, negativePrompt: request.negativePrompt,
                                                isAdultCategory: isAdult).refusal {
            throw refuse(refusal, category: category)
        }
        guard !isAdult else { return request }
        let wording = policy.adultWording(in: request.prompt)
        guard !wording.isEmpty else { return request }
        let adultCategories = categories.filter(\.value.adult).keys.sorted()
        if policy.configuration.reclassifyAdult,
           let target = policy.matchingAdultCategory(prompt: request.prompt, adultCategories: adultCategories) {
            var moved = request
            moved.category = target
            moved.extra = (request.extra ?? [:]).merging(["policy_reclassified_from": category]) { _, new in new }
            runtime.log.info("policy: adult wording, request filed under adult category \(target) instead of \(category)",
                             source: "policy")
            // The hard blocks again, now with the adult category's context.
            if let refusal = policy.checkHardBlocks(prompt: request.prompt, negativePrompt: request.negativePrompt,
                                                    isAdultCategory: true).refusal {
                throw refuse(refusal, category: target)
            }
            return moved
        }
        throw refuse(ContentPolicy.adultOutsideAdultRefusal(category: category, adultCategories: adultCategories,
                                                            triggers: wording), category: category)
    }

    /// The hard blocks for every variation of an already validated request (plans, templates),
    /// before pricing and budgets.
    func screenHardBlocks(_ v: ValidatedRequest, prompts: [(prompt: String, negativePrompt: String?)]) throws {
        try screenHardBlocks(prompts, isAdult: v.adult, model: v.model.name, category: v.category, template: v.extra["template"])
    }

    /// The hard blocks for expanded prompts, before the validator sees them.
    func screenHardBlocks(_ prompts: [(prompt: String, negativePrompt: String?)], isAdult: Bool, model: String?,
                          category: String, template: String?) throws {
        var checked = Set<String>()
        for item in prompts where checked.insert(item.prompt + "\u{0}" + (item.negativePrompt ?? "")).inserted {
            if let refusal = runtime.security.policy.checkHardBlocks(prompt: item.prompt, negativePrompt: item.negativePrompt,
                                                                     isAdultCategory: isAdult).refusal {
                runtime.security.recordPolicyRefusal(refusal, subject: template.map { "template:\($0)" } ?? "request",
                                                     model: model, category: category, caller: Caller.effective)
                throw refusal
            }
        }
    }
}
