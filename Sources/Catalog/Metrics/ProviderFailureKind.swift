/// The class of a failed attempt, mirroring the plugin ABI's error statuses.
public enum ProviderFailureKind: String, Sendable, Hashable, Codable, CaseIterable {
    case invalidRequest = "invalid_request"
    case auth
    case rateLimited = "rate_limited"
    case quota
    case providerError = "provider_error"
    case timeout
    case unsupported
    case `internal`
}
