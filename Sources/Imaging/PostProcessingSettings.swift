/// When and how much post-processing runs in the background (`imaging.postProcessing`).
///
/// Post-processing never holds up a job: the job succeeds once the provider's original is
/// stored, and its derivatives follow from a queue whose backlog is the catalog itself, so a
/// crash or a restart loses none of it.
public struct PostProcessingSettings: Codable, Sendable, Equatable {
    /// Post-process every new original automatically. Off: only `imagegen process ID` and the
    /// plans' maintenance slots render derivatives.
    public var automatic: Bool
    /// Images rendered at once. Each uses about one core while it encodes, so more workers than
    /// cores only add memory.
    public var workers: Int
    /// Score each derivative too (decoded from its own bytes, so compression shows). Costs about
    /// as much CPU as rendering it; the original's score is always taken.
    public var scoreDerivatives: Bool
    /// Failed runs of one image before the automatic backlog leaves it alone (`imagegen process ID`
    /// still tries it, and says why it failed).
    public var maxAttempts: Int

    public init(automatic: Bool = true, workers: Int = 2, scoreDerivatives: Bool = true, maxAttempts: Int = 3) {
        self.automatic = automatic
        self.workers = workers
        self.scoreDerivatives = scoreDerivatives
        self.maxAttempts = maxAttempts
    }

    private enum CodingKeys: String, CodingKey { case automatic, workers, scoreDerivatives, maxAttempts }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = PostProcessingSettings()
        automatic = try c.decodeIfPresent(Bool.self, forKey: .automatic) ?? d.automatic
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? d.workers
        scoreDerivatives = try c.decodeIfPresent(Bool.self, forKey: .scoreDerivatives) ?? d.scoreDerivatives
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? d.maxAttempts
    }

    func problems() -> [String] {
        var found: [String] = []
        if !(1...64).contains(workers) { found.append("postProcessing.workers must be within 1...64, got \(workers)") }
        if !(1...100).contains(maxAttempts) { found.append("postProcessing.maxAttempts must be within 1...100, got \(maxAttempts)") }
        return found
    }
}
