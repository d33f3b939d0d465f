import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// POSTs each notification as JSON to a webhook, signed when a secret is configured, retried with
/// `WebhookRetryPolicy`.
///
/// Headers: `Content-Type: application/json`, `X-Imagegen-Event` (`alert.firing`/`alert.resolved`),
/// `X-Imagegen-Delivery` (stable id, the same on every retry: receivers de-duplicate on it) and,
/// with a secret, `X-Imagegen-Signature: sha256=<hex HMAC-SHA256 of the body>`. Redirects count as
/// failures. The secret and the URL's path and query never appear in errors.
package struct WebhookAlertSink: AlertSink {
    package let name = "webhook"
    private let url: URL
    private let secret: [UInt8]?
    private let policy: WebhookRetryPolicy
    private let session: URLSession
    private let sleep: @Sendable (TimeInterval) async throws -> Void
    private let unitRandom: @Sendable () -> Double

    /// - Parameters:
    ///   - sleep: waits between attempts (tests pass one that records the delays and returns at once).
    ///   - unitRandom: a uniform value in [0, 1) for the jitter.
    package init(url: URL, secret: [UInt8]? = nil, policy: WebhookRetryPolicy = WebhookRetryPolicy(),
                session: URLSession? = nil,
                sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { seconds in
                    try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                },
                unitRandom: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.url = url
        self.secret = (secret?.isEmpty ?? true) ? nil : secret
        self.policy = policy
        if let session {
            self.session = session
        } else {
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = policy.requestTimeout
            configuration.httpCookieStorage = nil
            configuration.urlCache = nil
            self.session = URLSession(configuration: configuration)
        }
        self.sleep = sleep
        self.unitRandom = unitRandom
    }

    /// scheme://host:port — what errors and logs may show of the URL.
    package var endpoint: String {
        var text = "\(url.scheme ?? "http")://\(url.host ?? "?")"
        if let port = url.port { text += ":\(port)" }
        return text
    }

    package func deliver(_ notification: AlertNotification) async throws(AlertSinkError) {
        let body = notification.encodedJSON()
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: policy.requestTimeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("imagegen", forHTTPHeaderField: "User-Agent")
        request.setValue(notification.type, forHTTPHeaderField: "X-Imagegen-Event")
        request.setValue(notification.deliveryID, forHTTPHeaderField: "X-Imagegen-Delivery")
        if let secret {
            request.setValue(WebhookSignature.headerValue(secret: secret, body: body),
                             forHTTPHeaderField: WebhookSignature.headerName)
        }
        request.httpBody = body

        var lastProblem = "no attempt made"
        let attempts = max(1, policy.maxAttempts)
        for attempt in 1...attempts {
            var retryAfter: TimeInterval?
            do {
                let (_, response) = try await session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200...299).contains(status) { return }
                if status == 410 { throw AlertSinkError.webhookGone(endpoint: endpoint) }
                guard WebhookRetryPolicy.isRetryable(status: status) else {
                    throw AlertSinkError.webhookRefused(endpoint: endpoint, status: status)
                }
                lastProblem = "HTTP \(status)"
                if let header = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Retry-After"),
                   let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
                    retryAfter = min(seconds, policy.maxRetryAfter)
                }
            } catch let error as AlertSinkError {
                throw error
            } catch is CancellationError {
                throw .cancelled
            } catch {
                // Transport failure (refused, reset, timeout): retried. URLError text holds no secret.
                lastProblem = (error as? URLError).map { "network error \($0.code.rawValue)" } ?? "network error"
            }
            guard attempt < attempts else { break }
            do {
                try await sleep(retryAfter ?? policy.delay(beforeRetry: attempt, unit: unitRandom()))
            } catch {
                throw .cancelled
            }
        }
        throw .webhookGaveUp(endpoint: endpoint, attempts: attempts, lastProblem: lastProblem)
    }
}
