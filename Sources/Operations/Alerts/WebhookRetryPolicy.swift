import Foundation

/// Bounded, jittered exponential back-off for webhook deliveries (reference/operations.md §6, §10).
///
/// Delay before retry n (n = 1, 2, …) = min(maxDelay, initialDelay × multiplier^(n−1)), then scaled
/// by a random factor in [1 − jitter, 1 + jitter) so many hosts don't retry in lock-step. A
/// `Retry-After` of up to `maxRetryAfter` seconds replaces the computed delay.
/// 2xx is success; 408, 429 and 5xx and transport errors are retried; other codes are final.
package struct WebhookRetryPolicy: Sendable, Hashable {
    package var maxAttempts: Int
    package var initialDelay: TimeInterval
    package var multiplier: Double
    package var maxDelay: TimeInterval
    /// 0…1: the ± share of random spread.
    package var jitter: Double
    package var maxRetryAfter: TimeInterval
    /// Per-attempt request timeout.
    package var requestTimeout: TimeInterval

    package init(maxAttempts: Int = 5, initialDelay: TimeInterval = 0.5, multiplier: Double = 2,
                maxDelay: TimeInterval = 30, jitter: Double = 0.5, maxRetryAfter: TimeInterval = 60,
                requestTimeout: TimeInterval = 10) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.maxRetryAfter = maxRetryAfter
        self.requestTimeout = requestTimeout
    }

    /// The delay before retry `retry` (1-based), given a uniform random `unit` in [0, 1).
    package func delay(beforeRetry retry: Int, unit: Double) -> TimeInterval {
        let base = min(maxDelay, initialDelay * pow(multiplier, Double(max(retry, 1) - 1)))
        let spread = min(max(jitter, 0), 1)
        return base * (1 - spread + 2 * spread * min(max(unit, 0), 1))
    }

    /// Whether an HTTP status is worth another attempt.
    package static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }
}
