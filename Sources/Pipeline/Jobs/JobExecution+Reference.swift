import Foundation
import Catalog
import ImagegenCore
import ImagegenJSON
import PluginHost

/// The provider's job reference is what makes a resumed host poll instead of paying twice, so
/// its write is retried and its failure is never ignored.
extension JobExecution {
    /// Back-off between attempts to record a reference: a busy catalog (another writer holding
    /// the lock past SQLite's own busy timeout) usually clears within a second.
    static let referenceRetryDelays: [Duration] = [.milliseconds(50), .milliseconds(250), .milliseconds(1_000)]

    /// Records the reference, retrying a failed write; returns the last error when every attempt
    /// failed, nil once the reference is committed.
    func recordReference(_ ref: JSONValue, state: JobState, progress: Double?) async -> (any Error)? {
        var lastError: (any Error)?
        for delay in [Duration.zero] + Self.referenceRetryDelays {
            if delay > .zero {
                // Cancellation only shortens the wait; the write is still attempted.
                try? await Task.sleep(for: delay)
            }
            do {
                try catalog.recordSubmitted(job.id, ref: ref, state: state, progress: progress, now: now())
                return nil
            } catch {
                lastError = error
                log.warning("\(job.id): cannot record the provider's job reference (\(error)); retrying")
            }
        }
        log.error("\(job.id): the provider's job reference could not be recorded: ending the job without polling it")
        return lastError
    }

    /// Best effort: the job is ended either way, and a provider that cannot cancel still never
    /// gets the job a second time.
    func cancelUnrecorded(_ ref: JSONValue, plugin: String, instance: PluginInstance) async {
        do {
            _ = try await PluginThreads.run { () throws(PluginCallError) in try instance.cancel(ref) }
        } catch {
            log.warning("\(job.id): cancel at \(plugin) after the unrecorded submit failed: \(error.message)")
        }
    }
}
