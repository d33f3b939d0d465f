import ImagegenCore

/// Carries its reset time, so the API can send `Retry-After` (429; exit 3 like a budget refusal).
extension QuotaExceeded: MeaningfulError {
    package var meaning: ErrorMeaning { .quotaExceeded(retryAfterSeconds: retryAfterSeconds) }
    package var errorCode: String { "quota_exceeded" }
}
