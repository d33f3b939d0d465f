import ImagegenCore

/// A variation request the template cannot satisfy is the caller's to change (400, exit 2).
extension VariationError: MeaningfulError {
    public var meaning: ErrorMeaning { .invalidRequest }
    public var errorCode: String { "invalid_request" }
}
