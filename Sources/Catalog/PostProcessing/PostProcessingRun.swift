import Foundation
import Imaging

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
    public init(imageID: String, run: Int, profile: String, trigger: PostProcessingTrigger, state: State, derivativeCount: Int, enhancement: AppliedEnhancement? = nil, error: String? = nil, startedAt: Date, finishedAt: Date? = nil) {
        self.imageID = imageID
        self.run = run
        self.profile = profile
        self.trigger = trigger
        self.state = state
        self.derivativeCount = derivativeCount
        self.enhancement = enhancement
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}
