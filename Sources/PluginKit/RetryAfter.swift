import Foundation

/// Reads an HTTP `Retry-After` value (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
///
/// Providers send both forms (Replicate's clients accept either), and a throttled job must wait
/// at least that long, so the host gets it in milliseconds through `retry_after_ms`.
public enum RetryAfter {
    /// Milliseconds to wait, or nil when the value is absent or unreadable. `nowMilliseconds`
    /// is the host's clock, so a date is measured against the same time the host schedules on.
    /// The longest wait read from a provider (a day: no job's deadline is longer).
    public static let maximumSeconds: Double = 86_400

    public static func milliseconds(_ value: String?, nowMilliseconds: Int64) -> Int? {
        guard let raw = value?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        if let seconds = Double(raw), seconds.isFinite, seconds >= 0 {
            // Capped at a day: `Retry-After: 1e300` from a provider trapped in Int(Double).
            return Int((min(seconds, maximumSeconds) * 1000).rounded(.up))
        }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: raw) {
                let delta = date.timeIntervalSince1970 * 1000 - Double(nowMilliseconds)
                return Int(min(max(0, delta), maximumSeconds * 1000).rounded(.up))
            }
        }
        return nil
    }
}
