import Foundation
import ImagegenJSON
import Catalog
import Crypto
import ImagegenConfig
import ImagegenCore
import Imaging
import DurableFiles
import PluginHost
import Security

/// Polling a submitted job until the provider says it is done, persisting each new reference.
extension JobExecution {
    func pollUntilDone(_ job: Job, ref initialRef: JSONValue, plugin: String) async -> (PollState, JSONValue)? {
        var ref = initialRef
        var errors = 0
        var lastState = job.state
        var lastProgress = job.progress
        var lastIsolationFailure: PluginCallError?
        var isolationFailures = 0
        while true {
            // The host is stopping: leave the job in its committed state; the next start resumes it.
            if Task.isCancelled { return nil }
            if cancelRequested(while: "polling") {
                await cancelAtProvider(ref, plugin: plugin, because: "the job was cancelled on request")
                finish(.cancelled, ("cancelled", "cancelled on request; the provider was asked to stop"))
                return nil
            }
            if now() >= job.deadlineAt, let failure = lastIsolationFailure {
                finish(.failed, ("plugin_crashed", "\(plugin) could not be polled before the job's deadline: \(failure.message). "
                                 + "The job was submitted once; its reference is kept in the catalog"))
                return nil
            }
            if now() >= job.deadlineAt {
                await cancelAtProvider(ref, plugin: plugin, because: "the job passed its deadline")
                let seconds = Int(job.deadlineAt.timeIntervalSince(job.createdAt))
                finish(.failed, ("timeout", "\(plugin) did not finish the job within its deadline (\(seconds) s); it was cancelled at the provider"))
                return nil
            }
            var instance: PluginInstance
            do {
                instance = try service.runtime.plugins.instance(forPlugin: plugin)
            } catch {
                if error.isolation != nil { lastIsolationFailure = error }
                // The plugin is gone (removed, or a swap in progress): wait for it.
                errors += 1
                if errors > 50 {
                    finish(.failed, ("plugin_unavailable", "plugin \(plugin) is not loaded, so the job cannot be polled: \(error.message)"))
                    return nil
                }
                try? await Task.sleep(nanoseconds: 200_000_000)  // try?: a cancelled sleep means the host is stopping; the loop's first check returns
                continue
            }
            CrashPoint.whilePolling.hit()
            let r = ref
            do throws(PluginCallError) {
                let result = try await callPlugin(plugin, "poll", instance: &instance) { (i) throws(PluginCallError) in try i.poll(r) }
                // The same check whether the answer came from this process or a plugin's child.
                try checkPollResult(result, call: "poll")
                errors = 0
                lastIsolationFailure = nil
                let state = PollState(result)
                if let newRef = result["ref"], !newRef.isNull { ref = newRef }
                switch state.jobState {
                case .succeeded:
                    return (state, ref)
                case .failed:
                    finish(.failed, (state.errorCode ?? "provider_error", "\(plugin): \(state.errorMessage ?? "the provider reported a failure")"),
                           cost: state.costUSD, costSource: state.costUSD == nil ? nil : "provider", providerTime: state.providerTime)
                    return nil
                case .contentFiltered:
                    finish(.contentFiltered, ("content_filtered", "\(plugin): \(state.errorMessage ?? "the provider's safety filter refused it")"),
                           cost: state.costUSD, costSource: state.costUSD == nil ? nil : "provider", providerTime: state.providerTime)
                    return nil
                case .cancelled:
                    finish(.cancelled, ("cancelled", "\(plugin): the job was cancelled at the provider"))
                    return nil
                default:
                    if state.jobState != lastState || state.progress != lastProgress || result["ref"] != nil {
                        // The first reference is already committed, so polling goes on; a failed
                        // write is logged and made again on the next poll (last* stay unchanged).
                        do {
                            try catalog.recordProgress(job.id, state: state.jobState == .queued ? .submitted : state.jobState,
                                                       progress: state.progress, ref: result["ref"], now: now())
                            lastState = state.jobState
                            lastProgress = state.progress
                        } catch {
                            let what = result["ref"] != nil ? "the provider's new job reference and progress" : "progress"
                            log.warning("\(job.id): cannot record \(what) (\(error)); polling goes on and the write is retried on the next poll")
                        }
                    }
                    let hint = state.nextPollMs ?? settings.pollIntervalMs
                    let wait = Double(min(max(hint, 20), 10_000)) / 1000
                    try? await Task.sleep(nanoseconds: UInt64(min(wait, max(0.01, job.deadlineAt.timeIntervalSince(now()))) * 1e9))  // try?: a cancelled sleep means the host is stopping; the loop's first check returns
                }
            } catch {
                // A hot swap retired the instance before the call reached it: the loop takes
                // the new generation's instance.
                if error.generationRetired { continue }
                if error.pluginFault {
                    await cancelAtProvider(ref, plugin: plugin, because: "its plugin broke the plugin ABI")
                    failPluginFault(error, plugin: plugin, providerModel: job.providerModel)
                    return nil
                }
                if error.isolation != nil {
                    // The plugin's process, not the provider: the reference is durable, so the job
                    // waits for a fresh child (or a fixed file, if quarantined) until its deadline.
                    lastIsolationFailure = error
                    isolationFailures += 1
                    if error.isolation == .crashed || error.isolation == .watchdog, let model = job.providerModel {
                        service.health.recordFailure("\(plugin)/\(model)", now: now(), message: error.message)
                    }
                    let wait = error.isolation == .quarantined ? 1.0 : backoff(attempt: min(isolationFailures, 4), retryAfterMs: nil)
                    try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))  // try?: a cancelled sleep means the host is stopping; the loop's first check returns
                    continue
                }
                switch error.status {
                case .rateLimited, .provider, .timeout, .internal:
                    errors += 1
                    if errors >= 10 {
                        finish(.failed, (error.status.description, "\(plugin): polling failed \(errors) times in a row: \(error.message)"))
                        return nil
                    }
                    let wait = backoff(attempt: errors, retryAfterMs: error.retryAfterMilliseconds)
                    try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))  // try?: a cancelled sleep means the host is stopping; the loop's first check returns
                case .notFound:
                    finish(.failed, ("not_found", "\(plugin) no longer knows the job: \(error.message)"))
                    return nil
                default:
                    finish(.failed, (error.status.description, "\(plugin): \(error.message)"))
                    return nil
                }
            }
        }
    }
}
