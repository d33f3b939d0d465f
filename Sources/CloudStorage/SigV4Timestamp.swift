import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one timestamp a signature is made at, rendered both ways SigV4 needs.
///
/// Both strings come from one clock read so that `x-amz-date` and the credential-scope date can never
/// straddle midnight UTC (which would break the signature).
public struct SigV4Timestamp: Sendable, Hashable {
    /// ISO-8601 basic UTC, `YYYYMMDD'T'HHMMSS'Z'`, for `x-amz-date` / `X-Amz-Date`.
    public let amzDate: String
    /// `YYYYMMDD`, for the credential scope.
    public let scopeDate: String

    public init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let day = String(format: "%04d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        scopeDate = day
        amzDate = day + String(format: "T%02d%02d%02dZ", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
