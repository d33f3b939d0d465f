/// How a provider attempt ended (the final job states, as the metrics and alerts see them).
public enum GenerationOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    case succeeded
    case failed
    /// Final and not a provider failure: it opens no circuit and breaks no failure streak.
    case contentFiltered = "content_filtered"
    case cancelled
}
