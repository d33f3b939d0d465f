import Foundation

/// One finished provider attempt: the common input of statistics, alert rules and reports.
///
/// The catalog produces one per attempt, so a job that failed on one provider and succeeded on
/// its fallback yields two records. Cost is nil when unknown (never 0 for "unknown").
public struct GenerationRecord: Sendable, Hashable, Codable {
    public var jobID: String?
    public var imageID: String?
    public var model: String
    public var provider: String
    public var category: String
    public var template: String?
    public var finishedAt: Date
    /// Wall time from submit to the final state, in seconds.
    public var durationSeconds: Double
    public var outcome: GenerationOutcome
    public var failureKind: ProviderFailureKind?
    public var costUSD: Double?
    /// The automatic quality score, 0–100, when computed.
    public var qualityScore: Double?

    public init(jobID: String? = nil, imageID: String? = nil, model: String, provider: String, category: String,
                template: String? = nil, finishedAt: Date, durationSeconds: Double, outcome: GenerationOutcome,
                failureKind: ProviderFailureKind? = nil, costUSD: Double? = nil, qualityScore: Double? = nil) {
        self.jobID = jobID
        self.imageID = imageID
        self.model = model
        self.provider = provider
        self.category = category
        self.template = template
        self.finishedAt = finishedAt
        self.durationSeconds = durationSeconds
        self.outcome = outcome
        self.failureKind = failureKind
        self.costUSD = costUSD
        self.qualityScore = qualityScore
    }
}
