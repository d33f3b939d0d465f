/// How an HTTP error status maps onto the ABI's statuses, shared by every HTTP provider so the
/// three plugins classify the same answer the same way.
///
/// The classes carry the host's decision (see `imagegen_plugin.h`): retry (`rateLimited`,
/// `provider`, `timeout`), fail over (`auth`, `quota`, `unsupported`) or stop
/// (`invalidRequest`, `contentFiltered`). Providers override single cases their API documents
/// differently (e.g. Stability's 403 `content_moderation` is a content filter, not a bad key).
extension ProviderStatus {
    /// The status for a non-2xx answer.
    ///
    /// - Parameter creating: the request was one that makes the provider start paid work (a
    ///   POST that creates a job). A gateway error (502, 504) then means the job may exist
    ///   behind the gateway, so the outcome is unknown (`timeout`) and the host must not send
    ///   it again; for reads it is an ordinary retryable provider error.
    public static func classify(httpStatus: Int, creating: Bool) -> ProviderStatus {
        switch httpStatus {
        case 401, 403: return .auth
        case 402: return .quota
        case 404, 410: return creating ? .unsupported : .notFound
        case 408: return .provider
        case 429: return .rateLimited
        case 400...499: return .invalidRequest
        case 502, 504: return creating ? .timeout : .provider
        default: return .provider
        }
    }
}
