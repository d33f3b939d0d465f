import ImagegenCore

/// A body that is not JSON is a bad request; one that is not even declared as JSON is 415.
extension HTTPJSONBodyError: MeaningfulError {
    package var meaning: ErrorMeaning {
        switch self {
        case .emptyBody, .invalidJSON: return .invalidRequest
        case .unsupportedContentType: return .unsupportedMediaType
        }
    }

    package var errorCode: String {
        switch self {
        case .emptyBody, .invalidJSON: return "invalid_json"
        case .unsupportedContentType: return "unsupported_media_type"
        }
    }
}
