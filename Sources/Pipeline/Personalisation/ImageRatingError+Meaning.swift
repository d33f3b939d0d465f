import ImagegenCore

/// Ratings judge originals: a derivative is a request to fix (400 `not_an_original`).
extension ImageRatingError: MeaningfulError {
    package var meaning: ErrorMeaning {
        switch self {
        case .unknownImage: return .notFound
        case .outOfRange, .derivative: return .invalidRequest
        }
    }

    package var errorCode: String {
        switch self {
        case .unknownImage: return "not_found"
        case .outOfRange: return "invalid_request"
        case .derivative: return "not_an_original"
        }
    }
}
