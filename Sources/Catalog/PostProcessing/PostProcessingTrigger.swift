/// Why a post-processing run happened; recorded with the run.
public enum PostProcessingTrigger: String, Codable, Sendable {
    /// A new original was stored (the background queue). Skipped when the image already has a
    /// finished run, so a resumed job never renders its derivatives twice.
    case automatic
    /// `imagegen process ID`: always a new run with new versions; nothing is overwritten.
    case manual
    /// A plan's maintenance slot working through the backlog (same rule as automatic).
    case maintenance

    /// Whether a run only happens for an image that has none finished yet.
    public var onlyWhenUnprocessed: Bool { self != .manual }
}
