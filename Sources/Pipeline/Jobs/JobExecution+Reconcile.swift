import Foundation
import ImagegenCore
import PluginHost
import Catalog
import ImagegenJSON
import PluginHost

/// Recovery of a job found in `submitting` after a restart: the intent to submit was committed,
/// the provider's answer was not. A plugin offering `imagegen.reconcile/1` is asked whether
/// the provider has the job, which turns the unknown outcome into a known one; other plugins
/// keep the old rule (fail it, unless the plugin declares idempotent submits).
extension JobExecution {
    enum ReconcileOutcome {
        /// The provider has the job: its reference is committed, the job is `submitted`.
        case found(Job)
        /// The provider certainly has no such job: it may be submitted like a new one.
        case absent
        /// Not offered, or the provider could not be asked.
        case unknown
        /// The provider has the job but its reference could not be committed: it was cancelled
        /// there and the job is ended (as after a fresh submit whose reference cannot be recorded).
        case ended
    }

    func reconcileInterruptedSubmit(_ job: Job) async -> ReconcileOutcome {
        guard let plugin = job.pluginID else { return .unknown }
        var instance: PluginInstance
        do {
            instance = try service.runtime.plugins.instance(forPlugin: plugin)
        } catch {
            log.warning("\(job.id): cannot ask \(plugin) about the interrupted submit: the plugin is not available (\(error.message))")
            return .unknown
        }
        do throws(PluginCallError) {
            guard try await callPlugin(plugin, "reconcile", instance: &instance, { (i) throws(PluginCallError) in try i.offersReconcile() }) else { return .unknown }
        } catch {
            log.warning("\(job.id): cannot ask \(plugin) about the interrupted submit: \(error.message)")
            return .unknown
        }
        // The request as the interrupted submit built it: same model, same parameters.
        guard let candidate = service.runtime.models.resolve(job.model)?.candidates
                .first(where: { $0.plugin == plugin && $0.providerModel == job.providerModel }) else {
            log.warning("\(job.id): cannot ask \(plugin) about the interrupted submit: it no longer serves \(job.model)")
            return .unknown
        }
        // With its input image for a vary/upscale: the plugin matches the provider's job by it.
        let request: JSONValue
        do throws(SourceImageError) {
            request = try submitRequestJSON(job, candidate: candidate)
        } catch {
            log.warning("\(job.id): cannot ask \(plugin) about the interrupted submit: \(error)")
            return .unknown
        }
        var attempt = 0
        while true {
            attempt += 1
            do throws(PluginCallError) {
                let answer = try await callPlugin(plugin, "reconcile", instance: &instance) { (i) throws(PluginCallError) in try i.reconcile(request) }
                switch answer {
                case nil:
                    return .unknown
                case .absent:
                    log.info("\(job.id): \(plugin) has no job for it after the interrupted submit: submitting it")
                    return .absent
                case .found(let result):
                    do throws(PluginCallError) {
                        try checkPollResult(result, call: "reconcile")
                    } catch {
                        log.error("\(job.id): plugin \(plugin) broke the plugin ABI: \(error.message)")
                        service.runtime.pluginHealth.recordFault(plugin: plugin, message: error.message, at: now())
                        return .unknown
                    }
                    guard let ref = result["ref"], !ref.isNull else { return .unknown }
                    let state = PollState(result)
                    let adoptedState: JobState = state.jobState == .queued ? .submitted : (state.jobState.isTerminal ? .running : state.jobState)
                    if let failure = await recordReference(ref, state: adoptedState, progress: state.progress) {
                        // Never poll a job whose reference is not durable (the rule of a fresh submit).
                        await cancelUnrecorded(ref, plugin: plugin, instance: instance)
                        finish(.failed, ("catalog_unavailable", "\(plugin) has the job from the interrupted submit but its reference "
                                         + "could not be recorded (\(failure)); it was cancelled at the provider and is not retried. "
                                         + "Check the catalog's disk and locks, then generate again."))
                        return .ended
                    }
                    log.info("\(job.id): \(plugin) has the job from the interrupted submit: polling it")
                    var adopted = job
                    adopted.jobRef = ref
                    adopted.state = .submitted
                    return .found(adopted)
                }
            } catch {
                let retryable: Set<PluginStatus> = [.provider, .timeout, .rateLimited, .internal]
                let wait = backoff(attempt: attempt, retryAfterMs: error.retryAfterMilliseconds)
                guard retryable.contains(error.status), attempt < max(3, settings.submitAttempts),
                      now().addingTimeInterval(wait) < job.deadlineAt, !Task.isCancelled else {
                    log.warning("\(job.id): cannot ask \(plugin) about the interrupted submit: \(error.message)")
                    return .unknown
                }
                try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))  // try?: a cancelled sleep only means the host is stopping
            }
        }
    }
}
