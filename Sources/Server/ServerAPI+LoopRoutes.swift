import HTTPServer
import Security

/// The routes answered on the HTTP server's socket thread when they can be (`HTTPLoopResponder`):
/// cheap reads that never block, so a request costs no hop to a task and back (issue 18). Each
/// gives exactly what its task route gives: the same checks, audit entry and metric around the
/// same answer.
extension ServerAPI {
    /// The answer of `pattern` that can be given in place, or nil for a route that always runs as a task.
    func loopEndpoint(_ method: HTTPMethod, _ pattern: String) -> (@Sendable (HTTPRequest) -> HTTPResponse?)? {
        switch (method, pattern) {
        // Ready only while the encoded body matches the plugins loaded now.
        case (.get, "/v1/models"): return { [self] _ in cachedModels() }
        case (.get, "/healthz"): return { [self] in healthz($0) }
        default: return nil
        }
    }

    /// `answer` wrapped in what the task path does around a route (`handlers`): who is calling,
    /// whether they may, the audit entry and the request metric. Declines (nil) what needs the
    /// task path: a session cookie (checking it reads the catalog) or an answer not ready.
    func answerOnLoop(_ pattern: String, _ answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse?) -> HTTPLoopResponder {
        let metrics = self.metrics
        let security = runtime.security
        return { [self] request in
            let started = ContinuousClock.now
            guard let identity = identifyWithoutCatalog(request) else { return nil }
            let response: HTTPResponse
            if let refusal = refusal(request, pattern: pattern, identity: identity) {
                response = refusal
            } else if let answered = answer(request) {
                response = answered
            } else {
                return nil
            }
            // A GET: its entry is queued and synced within milliseconds, nothing waits for the disk.
            Caller.$current.withValue(ServerAPI.caller(for: identity, bearerTokenName: request.bearerTokenName)) {
                ServerAPI.audit(request, status: response.status.code, security: security)
            }
            metrics.recordRequest(route: pattern, code: response.status.code, seconds: (ContinuousClock.now - started).seconds)
            return response
        }
    }
}
