import ImagegenCore

/// A variation request the template cannot satisfy is the caller's to change (400, exit 2).
extension VariationError: MeaningfulError {
    package var meaning: ErrorMeaning { .invalidRequest }
    package var errorCode: String { "invalid_request" }
}
