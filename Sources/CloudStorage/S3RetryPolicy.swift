import Foundation
import ImagegenCore

/// Bounded exponential back-off with full jitter for retryable S3 failures (5xx, `SlowDown`,
/// throttling, timeouts, dropped connections). Non-retryable errors (bad credentials, missing bucket,
/// checksum mismatch) are never retried: repeating them only delays the operator's fix.
///
/// Full jitter (a uniformly random delay in `0…cap`) spreads many clients' retries apart, which is
/// what `SlowDown` asks for; the cap keeps one request's worst case bounded:
/// at most `maxAttempts` tries and `maxAttempts - 1` waits of at most `maxDelay` each.
package struct S3RetryPolicy: Sendable, Hashable {
    /// Total tries including the first (1 = no retries).
    package var maxAttempts: Int
    /// The back-off cap before the first retry; doubles for each further retry.
    package var initialDelay: Duration
    /// Upper bound on any single wait (also bounds a server's `Retry-After`).
    package var maxDelay: Duration

    package init(maxAttempts: Int = 5, initialDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    package static let none = S3RetryPolicy(maxAttempts: 1)

    /// The wait before retry number `retry` (1 for the first retry), given a uniform random
    /// `unitRandom` in 0…1 and an optional server `Retry-After`.
    package func delay(beforeRetry retry: Int, unitRandom: Double, retryAfter: Duration? = nil) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let capSeconds = min(initialDelay.seconds * pow(2, Double(exponent)), maxDelay.seconds)
        var wait = capSeconds * min(max(unitRandom, 0), 1)
        if let retryAfter { wait = max(wait, min(retryAfter.seconds, maxDelay.seconds)) }
        return .milliseconds(Int64((wait * 1000).rounded()))
    }
}
