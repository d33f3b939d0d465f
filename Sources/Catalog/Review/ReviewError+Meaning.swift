import ImagegenCore

extension ReviewError: MeaningfulError {
    package var meaning: ErrorMeaning {
        switch self {
        case .unknownImage: return .notFound
        case .derivative, .missingReason, .reasonTooLong, .tooMany, .empty: return .invalidRequest
        }
    }

    package var errorCode: String {
        switch self {
        case .unknownImage: return "not_found"
        case .derivative: return "not_an_original"
        case .missingReason, .reasonTooLong, .tooMany, .empty: return "invalid_request"
        }
    }
}
