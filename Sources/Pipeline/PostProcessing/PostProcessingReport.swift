import Catalog
/// What the background queue tells its observer after each image (for metrics).
public struct PostProcessingReport: Sendable {
    public enum Result: String, Sendable {
        case done, failed
        /// Nothing to do (already processed, or out of attempts).
        case skipped
    }

    public var trigger: PostProcessingTrigger
    public var result: Result
    /// Wall time of the run, rendering and storing included.
    public var seconds: Double
    /// Images still queued or being rendered after this one.
    public var waiting: Int
}
