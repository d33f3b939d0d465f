import ImagegenCore

/// A content-policy refusal: 422 over HTTP, exit 5 on the command line.
extension PolicyRefusal: MeaningfulError {
    package var meaning: ErrorMeaning { .policyRefused }
    package var errorCode: String { "content_policy" }
}
