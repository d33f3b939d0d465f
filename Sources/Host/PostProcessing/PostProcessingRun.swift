import Foundation

/// One post-processing run of one original: which profile rendered which derivatives.
public struct PostProcessingRun: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case running, done, failed
    }

    public var imageID: String
    /// 1 for the first run of an image, then 2, 3… (`imagegen process ID` adds one).
    /// Derivatives of run N carry `version` N.
    public var run: Int
    public var profile: String
    public var trigger: PostProcessingTrigger
    public var state: State
    public var derivativeCount: Int
    /// What auto-enhancement did (shared by every derivative of the run).
    public var enhancement: AppliedEnhancement?
    /// Why the run failed (names the file or step and what to do).
    public var error: String?
    public var startedAt: Date
    public var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case run, profile, trigger, state, enhancement, error
        case imageID = "image_id", derivativeCount = "derivatives", startedAt = "started_at", finishedAt = "finished_at"
    }
}
