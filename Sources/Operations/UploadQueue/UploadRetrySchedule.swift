import Foundation

/// When a file whose upload failed is tried again: exponential back-off across attempts
/// (`base · 2^(attempt-1)`, capped), with jitter so files that failed together do not return
/// together. This sits above `S3RetryPolicy`, which already retried within the attempt.
package struct UploadRetrySchedule: Sendable, Equatable {
    package var baseSeconds: Double
    package var maxSeconds: Double
    /// Attempts per file before it is marked failed.
    package var maxAttempts: Int

    package init(baseSeconds: Double, maxSeconds: Double, maxAttempts: Int) {
        self.baseSeconds = baseSeconds
        self.maxSeconds = maxSeconds
        self.maxAttempts = max(1, maxAttempts)
    }

    /// The next attempt after attempt number `failedAttempt` (1-based) failed, or nil when that was the last.
    /// `unitRandom` in 0…1 picks the jitter (half to the full delay).
    package func nextAttempt(after failedAttempt: Int, now: Date, unitRandom: Double = Double.random(in: 0...1)) -> Date? {
        guard failedAttempt < maxAttempts else { return nil }
        let exponent = Double(min(max(failedAttempt - 1, 0), 30))
        let cap = min(baseSeconds * pow(2, exponent), maxSeconds)
        return now.addingTimeInterval(cap * (0.5 + 0.5 * min(max(unitRandom, 0), 1)))
    }
}
