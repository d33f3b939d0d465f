import Security
/// The request validator's errors for the adult-content rule, which `ContentPolicy.checkRouting`
/// decides: the validator keeps its long-standing cases (and messages) and the CLI, the API and
/// the audit log see them as content-policy refusals with their rule id.
extension ValidationError {
    init(adultRouting refusal: PolicyRefusal, model: String, category: String, attestationConfigured: Bool) {
        switch refusal.ruleID {
        case ContentPolicy.attestationRuleID where !attestationConfigured:
            self = .adultCategoryWithoutAttestation(category)
        case ContentPolicy.nsfwModelRuleID:
            self = .noModelAllowsAdultContent(model: model, category: category)
        default:
            self = .policy(refusal)
        }
    }

    /// The content-policy rule behind this error, or nil for an ordinary invalid field.
    package var policyRuleID: String? {
        switch self {
        case .adultCategoryWithoutAttestation: return ContentPolicy.attestationRuleID
        case .noModelAllowsAdultContent: return ContentPolicy.nsfwModelRuleID
        case .policy(let refusal): return refusal.ruleID
        default: return nil
        }
    }
}

