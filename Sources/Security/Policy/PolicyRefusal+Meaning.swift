import ImagegenCore

/// A content-policy refusal: 422 over HTTP, exit 5 on the command line.
extension PolicyRefusal: MeaningfulError {
    public var meaning: ErrorMeaning { .policyRefused }
    public var errorCode: String { "content_policy" }
}
