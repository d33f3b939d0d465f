import ImagegenCore

/// A template's broken profile is the operator's configuration: the server's fault over HTTP
/// (500 `invalid_config`), invalid input on the command line (exit 2).
extension TemplateRequestError: MeaningfulError {
    package var meaning: ErrorMeaning {
        switch self {
        case .unknownTemplate, .emptyCategory, .unknownProfile: return .unknownName
        case .noTemplateOrCategory: return .invalidRequest
        case .invalidProfile: return .misconfigured
        }
    }

    package var errorCode: String {
        switch self {
        case .unknownTemplate: return "unknown_template"
        case .emptyCategory: return "unknown_category"
        case .noTemplateOrCategory: return "invalid_request"
        case .unknownProfile: return "unknown_profile"
        case .invalidProfile: return "invalid_config"
        }
    }
}
