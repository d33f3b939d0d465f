import Foundation

/// What a host reports about its nudity detector (`imagegen health`, GET /v1/health).
public struct NudityDetectorStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        /// Not needed yet: it starts on the first image to check.
        case notStarted = "not_started"
        case running
        /// The last start or answer failed; images are quarantined until it runs again.
        case unavailable
    }
    public var state: State
    /// The detector's name and version once it ran (`nudenet 3.4.2`).
    public var name: String?
    /// Why it is unavailable, naming what to install or fix (`NudityCheckError.description`).
    public var error: String?

    public init(state: State, name: String? = nil, error: String? = nil) {
        self.state = state
        self.name = name
        self.error = error
    }
}
