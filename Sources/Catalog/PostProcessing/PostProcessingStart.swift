/// What `PostProcessingStore.beginRun` decided.
public enum PostProcessingStart: Equatable, Sendable {
    /// Go ahead with run `run`; `abandoned` lists runs of this image left by a dead process
    /// (their partly written files can be removed).
    case started(run: Int, abandoned: [Int])
    /// Nothing to do: the image already has a finished run, or used up its attempts.
    case skipped
}
