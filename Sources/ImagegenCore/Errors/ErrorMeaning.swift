/// What kind of failure an error is, in the product's terms. The API and the CLI both answer
/// from this one value, so a refusal means the same thing over HTTP and on the command line:
/// `httpStatus` and `exitCode` are the single table (see docs/api.md and the README's exit codes).
package enum ErrorMeaning: Sendable, Hashable {
    /// A field is missing, malformed or out of range; the message names it.
    case invalidRequest
    /// The body is not in a media type the endpoint reads (HTTP only; the CLI has no bodies).
    case unsupportedMediaType
    /// A model, category, template or profile name that is not known; the message lists the known ones.
    case unknownName
    /// The image, job or reservation named does not exist.
    case notFound
    /// The thing exists but its state forbids this now (already reserved, being processed,
    /// original no longer usable).
    case conflict
    /// Queuing would exceed a budget, or the model has no price while a budget is set.
    case budgetRefused
    /// A rate or daily quota is used up; it resets after `retryAfterSeconds`.
    case quotaExceeded(retryAfterSeconds: Int)
    /// Adult content the operator's setup does not allow (no attestation, no provider that permits it).
    case contentNotPermitted
    /// The content policy refused the request.
    case policyRefused
    /// The provider failed or was unreachable.
    case providerFailed
    /// Temporarily impossible: the host is locked, the catalog busy, imaging unavailable. Retry later.
    case unavailable
    /// The operator's configuration is wrong (a template's profile, …): the server's fault over
    /// HTTP, the user's input on the command line.
    case misconfigured
    /// Anything else: a bug or an environment failure; the message and the log say which.
    case `internal`

    /// The HTTP status and CLI exit code of each meaning: the one place they are decided.
    /// Exit codes (README): 0 ok · 1 failure · 2 invalid input · 3 budget or quota refusal ·
    /// 4 provider failure · 5 content filtered or refused by the content policy.
    private var table: (httpStatus: Int, exitCode: Int32) {
        switch self {
        case .invalidRequest: return (400, 2)
        case .unsupportedMediaType: return (415, 2)
        case .unknownName: return (400, 2)
        case .notFound: return (404, 2)
        case .conflict: return (409, 1)
        case .budgetRefused: return (402, 3)
        case .quotaExceeded: return (429, 3)
        case .contentNotPermitted: return (403, 5)
        case .policyRefused: return (422, 5)
        case .providerFailed: return (502, 4)
        case .unavailable: return (503, 1)
        case .misconfigured: return (500, 2)
        case .internal: return (500, 1)
        }
    }

    /// The status the API answers with.
    package var httpStatus: Int { table.httpStatus }

    /// The process exit code the CLI ends with.
    package var exitCode: Int32 { table.exitCode }

    /// Sent as `Retry-After` when the caller should wait a known time before retrying.
    package var retryAfterSeconds: Int? {
        if case .quotaExceeded(let seconds) = self { return seconds }
        return nil
    }
}
