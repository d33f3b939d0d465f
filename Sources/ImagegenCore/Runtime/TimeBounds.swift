import Foundation

/// The instants the host accepts from outside (query strings, CLI dates and spans, stored rows):
/// years 0001 through 9999. Anything beyond cannot be a real filter or record time, and turning
/// it into integer milliseconds (`Int64(Double)`) would trap and kill the process, so every
/// boundary that reads a time checks it here and refuses it as a bad request / usage error.
package enum TimeBounds {
    /// 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59Z, in seconds since the Unix epoch.
    package static let seconds: ClosedRange<Double> = -62_135_596_800 ... 253_402_300_799

    /// The described range, for messages.
    package static let description = "between years 0001 and 9999"

    package static func contains(_ date: Date) -> Bool {
        let s = date.timeIntervalSince1970
        return s.isFinite && seconds.contains(s)
    }

    /// Milliseconds since the epoch, never trapping: a time outside the bounds (which the
    /// boundaries already refuse) is clamped to the nearest bound rather than crashing a store.
    /// Rounded down, so a stored instant is never later than the event: rounding to nearest put
    /// a job that had just finished up to 0.5 ms in the future, outside a window ending "now".
    /// The 1 µs nudge keeps a date read back from stored milliseconds (which may sit a hair
    /// below its millisecond in binary) on the same millisecond when it is stored again.
    package static func milliseconds(_ date: Date) -> Int64 {
        let s = date.timeIntervalSince1970
        guard !s.isNaN else { return 0 }
        let clamped = min(max(s, seconds.lowerBound), seconds.upperBound)
        return Int64((clamped * 1000 + 0.001).rounded(.down))
    }
}
