import Foundation
import ImagegenCore
import Imaging

/// The catalog side of post-processing: taking a run number, committing a run's derivatives,
/// recording failures, and the backlog. Every change is one committed transaction, so a killed
/// process leaves either a whole run or none, and its `running` run is abandoned once stale.
public protocol PostProcessingStore: Sendable {
    /// Takes the next run number for `imageID` and records it as running, in one transaction
    /// (two processes never get the same number). Automatic triggers skip an image that has a
    /// finished run or `maxAttempts` failures; a live run of another process throws
    /// `alreadyRunning` for a manual trigger.
    func beginRun(imageID: String, profile: String, trigger: PostProcessingTrigger, maxAttempts: Int,
                  now: Date) throws(PostProcessingError) -> PostProcessingStart
    /// Commits the derivatives of a run and marks it done, in one transaction: either every
    /// derivative row of the run is there or none is. Derivatives get no ledger entry.
    func completeRun(imageID: String, run: Int, derivatives: [ImageRecord], pluginID: String?, providerModel: String?,
                     enhancement: AppliedEnhancement, now: Date) throws(PostProcessingError)
    /// Records why a run failed, in one transaction. Best effort: a store that refuses this
    /// too leaves the run `running`, and it is abandoned once stale.
    func failRun(imageID: String, run: Int, error: PostProcessingError, now: Date)
    /// The plugin and provider model of an original, copied to its derivatives. One read.
    func provenance(of imageID: String) throws -> (pluginID: String?, providerModel: String?)
    /// Every run of an image, oldest first. One read.
    func runs(of imageID: String) throws -> [PostProcessingRun]
    /// The derivatives of an original: by run, then in profile order as they were written. One read.
    func derivatives(of imageID: String) throws -> [ImageRecord]
    /// Stored originals that still need a run (none finished, fewer than `maxAttempts`
    /// failures), oldest first, at most `limit`. One read.
    func backlog(maxAttempts: Int, limit: Int) throws -> [String]
}
