import ImagegenCore

/// Unknown names list the known ones (400, exit 2); the adult-content rules are the operator's
/// setup (403) and other policy refusals 422 — both exit 5, like every content-policy refusal.
extension ValidationError: MeaningfulError {
    package var meaning: ErrorMeaning {
        switch self {
        case .unknownModel, .unknownCategory: return .unknownName
        case .field, .capabilityMissing: return .invalidRequest
        case .adultCategoryWithoutAttestation, .noModelAllowsAdultContent: return .contentNotPermitted
        case .policy: return .policyRefused
        }
    }

    package var errorCode: String {
        switch self {
        case .unknownModel: return "unknown_model"
        case .unknownCategory: return "unknown_category"
        case .field: return "invalid_request"
        case .capabilityMissing: return "capability_missing"
        case .adultCategoryWithoutAttestation, .noModelAllowsAdultContent, .policy: return "content_policy"
        }
    }
}
