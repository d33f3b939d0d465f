import Foundation

/// A request refused by a quota: which limit, its value, how much is used and when it resets.
/// `retryAfterSeconds` feeds an HTTP `Retry-After` header.
public struct QuotaExceeded: Error, CustomStringConvertible, Equatable, Sendable {
    public let limit: QuotaLimit
    /// Requests in the last minute, or images counted today.
    public let used: Int
    /// What this request asked for (1 request, or n images).
    public let requested: Int
    public let resetsAt: Date
    /// When the refusal happened (to compute the wait without reading the clock again).
    public let refusedAt: Date

    public var retryAfterSeconds: Int { max(1, Int((resetsAt.timeIntervalSince(refusedAt)).rounded(.up))) }

    /// `resetsAt` as ISO 8601 UTC.
    public var resetsAtText: String { resetsAt.formatted(Date.ISO8601FormatStyle()) }

    public var description: String {
        let usage: String
        switch limit.kind {
        case .requestsPerMinute:
            usage = "\(used) requests in the last minute"
        case .imagesPerDay:
            usage = "\(used) images used today, this request needs \(requested)"
        }
        return "quota exceeded: \(limit) (\(usage)); resets at \(resetsAtText), retry in \(retryAfterSeconds) s"
    }
}
