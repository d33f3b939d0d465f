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
                try? await Task.sleep(for: delay)  // try?: cancellation only shortens the wait; the write is still tried
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
        var instance = instance
        do {
            try await callPlugin(plugin, "cancel", instance: &instance) { (i) throws(PluginCallError) in try i.cancel(ref) }
        } catch {
            log.warning("\(job.id): cancel at \(plugin) after the unrecorded submit failed: \(error.message)")
        }
    }

    /// Whether a cancel was requested for the job. A catalog that cannot be read is logged and
    /// taken as "not requested": the loops check again on their next round, and the step that
    /// follows (marking the submit, recording progress) needs the same catalog and ends the job
    /// in a committed state if it is really gone.
    func cancelRequested(while step: String) -> Bool {
        do {
            return try catalog.cancelRequested(job.id)
        } catch {
            log.warning("\(job.id): cannot read the job to check for a cancel request while \(step) (\(error)); checking again next round")
            return false
        }
    }

    /// Best effort: asks the provider to stop a job this host is about to end. The job is ended
    /// either way; a failure is logged so a job still running (and costing) at the provider is seen.
    func cancelAtProvider(_ ref: JSONValue, plugin: String, because reason: String) async {
        var instance: PluginInstance
        do {
            instance = try service.runtime.plugins.instance(forPlugin: plugin)
        } catch {
            return log.warning("\(job.id): \(reason), but \(plugin) is not loaded to cancel it at the provider: \(error.message)")
        }
        do {
            try await callPlugin(plugin, "cancel", instance: &instance) { (i) throws(PluginCallError) in try i.cancel(ref) }
        } catch {
            log.warning("\(job.id): \(reason), but the cancel at \(plugin) failed: \(error.message)")
        }
    }
}
