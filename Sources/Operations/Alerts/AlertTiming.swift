import Foundation

/// Anti-flap timing of a rule, with Prometheus' meaning (reference/operations.md §5):
/// a condition must hold for `pendingFor` before the alert fires, and an alert keeps firing for
/// `keepFiringFor` after its condition was last seen, so a one-evaluation blip neither pages nor
/// resolves-and-re-fires. Both default to 0: fire on first sight, resolve on first clear.
public struct AlertTiming: Sendable, Hashable, Codable {
    public var pendingFor: TimeInterval
    public var keepFiringFor: TimeInterval

    public init(pendingFor: TimeInterval = 0, keepFiringFor: TimeInterval = 0) {
        self.pendingFor = pendingFor
        self.keepFiringFor = keepFiringFor
    }

    public static let immediate = AlertTiming()
}
