/// Why a notification did not reach a sink. Webhook messages name only the endpoint's
/// scheme, host and port: a webhook URL's path or query often carries a token.
public enum AlertSinkError: Error, Sendable, Equatable, CustomStringConvertible {
    case fileWrite(path: String, reason: String)
    case webhookRefused(endpoint: String, status: Int)
    case webhookGone(endpoint: String)
    case webhookGaveUp(endpoint: String, attempts: Int, lastProblem: String)
    case cancelled

    public var description: String {
        switch self {
        case let .fileWrite(path, reason):
            return "could not append the alert to \(path) (\(reason)); check the directory exists and is writable"
        case let .webhookRefused(endpoint, status):
            return "webhook \(endpoint) refused the alert with HTTP \(status) (not retried); check its URL and secret"
        case let .webhookGone(endpoint):
            return "webhook \(endpoint) answered 410 Gone; remove or replace it in the alert config"
        case let .webhookGaveUp(endpoint, attempts, problem):
            return "webhook \(endpoint) failed \(attempts) times (last: \(problem)); the alert is still recorded, see `imagegen alerts`"
        case .cancelled:
            return "alert delivery was cancelled (the host is shutting down)"
        }
    }
}
