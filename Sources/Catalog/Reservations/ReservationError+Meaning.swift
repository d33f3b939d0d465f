import ImagegenCore

/// An image holds one reservation at a time: a second one is a conflict (409), not a bad request.
extension ReservationError: MeaningfulError {
    package var meaning: ErrorMeaning {
        switch self {
        case .unknownImage, .notFound: return .notFound
        case .alreadyReserved: return .conflict
        case .invalidDay, .derivative: return .invalidRequest
        }
    }

    package var errorCode: String {
        switch self {
        case .unknownImage, .notFound: return "not_found"
        case .alreadyReserved: return "already_reserved"
        case .invalidDay: return "invalid_request"
        case .derivative: return "not_an_original"
        }
    }
}
