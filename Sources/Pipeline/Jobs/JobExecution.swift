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

/// One job's way through the provider: route → submit → poll → fetch → store. Each step's
/// outcome is committed to the catalog before the next side effect, so the job can resume
/// from whatever was last committed.
struct JobExecution: Sendable {
    let service: GenerationService
    let job: Job
    /// Set by the runner: parks the job while it waits for a plugin's call slot.
    var parking: JobParking?

    var catalog: any CatalogStore { service.catalog }
    var log: Log { service.runtime.log }
    var settings: JobSettings { service.runtime.configuration.jobs }
    func now() -> Date { service.clock() }

    /// Ends the job with a final state; errors are (code, message) for the record.
    func finish(_ state: JobState, _ error: (String, String)? = nil, cost: Double? = nil, costSource: String? = nil,
                providerTime: Double? = nil) {
        // Provider error texts can echo a key (a URL, a header): mask every secret before storing.
        let error = error.map { ($0.0, service.runtime.security.redact($0.1)) }
        // Quotas are settled before the end is recorded: whoever sees the job finished (a waiter
        // reading the catalog) must also see its undelivered images given back.
        service.runtime.security.jobFinished(job, state: state, error: error)
        do {
            try catalog.finish(job.id, state: state, cost: cost, costSource: costSource, providerTime: providerTime,
                               error: error, now: now())
        } catch {
            log.error("\(job.id): cannot record the end of the job: \(error)")
        }
        if let error { log.info("\(job.id) \(state.rawValue): \(error.1)") }
    }

    func run() async {
        var job = self.job
        if job.cancelRequested && job.jobRef == nil {
            return finish(.cancelled, ("cancelled", "cancelled before it was sent to a provider"))
        }
        if job.state == .submitting && job.jobRef == nil {
            // The host stopped between the intent to submit and the provider's answer.
            switch await reconcileInterruptedSubmit(job) {
            case .found(let adopted):
                job = adopted // the provider has it: poll it
            case .absent:
                job.state = .queued // the provider has no such job: submitting it is safe
            case .ended:
                return
            case .unknown:
                guard let plugin = job.pluginID, let gen = service.runtime.plugins.generation(forPlugin: plugin),
                      gen.manifest.idempotentSubmit else {
                    return finish(.failed, ("submit_outcome_unknown",
                        "the host stopped while submitting to \(job.pluginID ?? "a provider"); the provider may or may not have the job, so it was not sent again (to avoid paying twice). Check the provider's dashboard."))
                }
                job.state = .queued // the provider dedupes (or it is free): safe to send again
            }
        }
        // A job this run submits has no output an earlier run could have committed.
        let resumed = job.state != .queued
        if job.state == .queued {
            guard let submitted = await submit(job) else { return }
            job = submitted
        }
        guard let ref = job.jobRef, let plugin = job.pluginID else {
            return finish(.failed, ("internal", "the job has no provider reference"))
        }
        guard let result = await pollUntilDone(job, ref: ref, plugin: plugin) else { return }
        await store(job, result: result, plugin: plugin, resumed: resumed)
    }

    // MARK: - Submit, with retries and fail-over

    func submit(_ initial: Job) async -> Job? {
        var job = initial
        guard let entry = service.runtime.models.resolve(job.model) else {
            finish(.failed, ("model_unavailable", "model \(job.model) is no longer served by any loaded plugin"))
            return nil
        }
        let categories = service.runtime.configuration.categories.merging(service.extraCategories()) { a, _ in a }
        let adult = categories[job.category]?.adult ?? false
        let router = Router(health: service.health)
        var tried = job.tried
        var failures: [String] = []
        var quotaRefusals: [QuotaExceeded] = []
        while true {
            if Task.isCancelled { return nil }
            if cancelRequested(while: "routing") {
                finish(.cancelled, ("cancelled", "cancelled before it was accepted by a provider"))
                return nil
            }
            if now() >= job.deadlineAt {
                finish(.failed, ("timeout", "no provider accepted the job before its deadline. " + failures.joined(separator: "; ")))
                return nil
            }
            let loaded = Set(service.runtime.plugins.generations.map(\.manifest.id))
            let plan = router.plan(entry, adult: adult, width: job.parameters.width, height: job.parameters.height,
                                   outputs: job.outputs, loaded: loaded, tried: tried, now: now(),
                                   missingSecrets: service.runtime.missingSecrets(), requires: derivedCapability(job))
            guard let candidate = plan.chosen, service.health.admit(candidate.key, now: now()) else {
                if let recovery = plan.earliestRecovery, recovery < job.deadlineAt {
                    // Every candidate is cooling down: wait for the first to recover.
                    let wait = max(0.05, recovery.timeIntervalSince(now()))
                    // try?: a cancelled sleep means the host is stopping; the loop's first check returns
                    try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                    continue
                }
                if let quota = service.runtime.security.quotaFailure(quotaRefusals) {
                    finish(.failed, quota)
                    return nil
                }
                let reasons = plan.candidates.map { "\($0.0.key): \($0.1)" }.joined(separator: "; ")
                finish(.failed, ("no_provider", "no provider could take the job (\(reasons))"
                                 + (failures.isEmpty ? "" : ". Failures: " + failures.joined(separator: "; "))))
                return nil
            }
            switch service.runtime.security.admitSubmit(job, candidate: candidate, adult: adult, catalog: catalog) {
            case .proceed:
                break
            case .skip(let refusal):
                quotaRefusals.append(refusal)
                failures.append("\(candidate.key): \(refusal)")
                tried.append(candidate.key)
                job.tried = tried
                continue
            case .refuse(let code, let message):
                finish(.failed, (code, message))
                return nil
            }
            let outcome = await submitTo(candidate, job: job, tried: tried, idempotent: false)
            switch outcome {
            case .accepted(let j):
                return j
            case .final:
                return nil
            case .failOver(let message):
                failures.append("\(candidate.key): \(message)")
                tried.append(candidate.key)
                job.tried = tried
            }
        }
    }

    enum SubmitOutcome {
        case accepted(Job)
        case failOver(String)
        case final
    }

    func submitTo(_ candidate: ModelTable.Candidate, job: Job, tried: [String], idempotent: Bool) async -> SubmitOutcome {
        var instance: PluginInstance
        do {
            instance = try service.runtime.plugins.instance(forPlugin: candidate.plugin)
        } catch {
            service.health.recordFailure(candidate.key, now: now(), message: error.message)
            return .failOver("cannot configure: \(error.message)")
        }
        let request: JSONValue
        do throws(SourceImageError) {
            request = try submitRequestJSON(job, candidate: candidate)
        } catch {
            // Nothing was sent: the source image is gone or altered, so no provider can do the job.
            finish(.failed, ("source_image", error.description))
            return .final
        }
        var attempt = 0
        while true {
            attempt += 1
            CrashPoint.beforeSubmit.hit()
            // The slot before the intent: a job waiting for one is still `queued`, never sent.
            guard let slot = await acquireSlot(candidate.plugin, cancellable: true) else {
                if !Task.isCancelled { finish(.cancelled, ("cancelled", "cancelled before it was sent to \(candidate.plugin)")) }
                return .final
            }
            do {
                try catalog.markSubmitting(job.id, plugin: candidate.plugin, providerModel: candidate.providerModel,
                                           generation: instance.generation.number, tried: tried, now: now())
            } catch let lost as JobClaimLost {
                slot.release()
                log.info("\(lost)")
                return .final
            } catch {
                slot.release()
                finish(.failed, ("catalog", "cannot record the submit: \(error)"))
                return .final
            }
            CrashPoint.duringSubmit.hit()
            do throws(PluginCallError) {
                let result = try await callPlugin(candidate.plugin, "submit", instance: &instance, slot: slot, cancellable: true) {
                    (i) throws(PluginCallError) in try i.submit(request)
                }
                CrashPoint.submitUnrecorded.hit()
                do throws(PluginCallError) {
                    try checkPollResult(result, call: "submit")
                } catch {
                    // The provider may have the job: never send it again; stop it if we can.
                    if let ref = result["ref"], !ref.isNull { await cancelUnrecorded(ref, plugin: candidate.plugin, instance: instance) }
                    failPluginFault(error, plugin: candidate.plugin, providerModel: candidate.providerModel)
                    return .final
                }
                guard let ref = result["ref"], !ref.isNull else {
                    service.health.recordFailure(candidate.key, now: now(), message: "submit returned no ref")
                    return .failOver("the plugin's submit returned no job reference")
                }
                let state = PollState(result)
                let submitted: JobState = state.jobState == .queued ? .submitted : (state.jobState.isTerminal ? .running : state.jobState)
                if let failure = await recordReference(ref, state: submitted, progress: state.progress) {
                    // Never poll a job whose reference is not durable, never send it again: cancel
                    // it at the provider (we cannot track what it costs) and end it here. Should
                    // even that end not commit, the row stays `submitting`, which a restart
                    // reconciles or fails as `submit_outcome_unknown`, never resubmits.
                    await cancelUnrecorded(ref, plugin: candidate.plugin, instance: instance)
                    finish(.failed, ("catalog_unavailable", "\(candidate.plugin) accepted the job but its reference could not be "
                                     + "recorded (\(failure)); it was cancelled at the provider and is not retried. "
                                     + "Check the catalog's disk and locks, then generate again."))
                    return .final
                }
                CrashPoint.afterSubmit.hit()
                service.health.recordSuccess(candidate.key)
                var accepted = job
                accepted.jobRef = ref
                accepted.pluginID = candidate.plugin
                accepted.providerModel = candidate.providerModel
                accepted.state = .submitted
                return .accepted(accepted)
            } catch {
                if error.generationRetired {
                    // Every generation of the plugin retired (the host is stopping): the submit
                    // never reached it, so the job goes back to the queue for the next start.
                    do {
                        try catalog.requeue(job.id, tried: job.tried, error: nil, now: now())
                    } catch {
                        log.error("\(job.id): cannot put the job back in the queue after the host stopped before its submit: \(error)")
                    }
                    return .final
                }
                if error.pluginFault {
                    // An unreadable answer to a submit: the outcome is unknown, so no resend.
                    failPluginFault(error, plugin: candidate.plugin, providerModel: candidate.providerModel)
                    return .final
                }
                if error.isolation == .crashed {
                    // The child died inside submit: the request may have reached the provider.
                    service.health.recordFailure(candidate.key, now: now(), message: error.message)
                    if instance.generation.manifest.idempotentSubmit && attempt < settings.submitAttempts {
                        try? await Task.sleep(nanoseconds: UInt64(backoff(attempt: attempt, retryAfterMs: nil) * 1e9))  // try?: a cancelled sleep only shortens the back-off; the plugin promised idempotent submits
                        continue
                    }
                    finish(.failed, ("plugin_crashed", "\(error.message); the provider may have the job, so it was not sent again (to avoid paying twice)"))
                    return .final
                }
                switch error.status {
                case .contentFiltered:
                    finish(.contentFiltered, ("content_filtered", "\(candidate.plugin): \(error.message)"))
                    return .final
                case .invalidRequest:
                    finish(.failed, ("invalid_request", "\(candidate.plugin) refused the request: \(error.message)"))
                    return .final
                case .cancelled:
                    finish(.cancelled, ("cancelled", error.message))
                    return .final
                case .timeout:
                    // Outcome unknown: the provider may have the job. Never send it again
                    // unless the plugin promises idempotent submits.
                    service.health.recordFailure(candidate.key, now: now(), message: error.message)
                    if instance.generation.manifest.idempotentSubmit && attempt < settings.submitAttempts { continue }
                    finish(.failed, ("submit_outcome_unknown",
                        "\(candidate.plugin): no complete answer to the submit (\(error.message)); the provider may have the job, so it was not sent again (to avoid paying twice)"))
                    return .final
                case .rateLimited, .provider:
                    service.health.recordFailure(candidate.key, now: now(), message: error.message)
                    if attempt < settings.submitAttempts && service.health.state(candidate.key, now: now()) == .closed {
                        let wait = backoff(attempt: attempt, retryAfterMs: error.retryAfterMilliseconds)
                        if now().addingTimeInterval(wait) < job.deadlineAt {
                            log.info("\(job.id): \(candidate.key) \(error.status); retrying in \(String(format: "%.2f", wait)) s")
                            // try?: a cancelled sleep only shortens the back-off; the provider refused this attempt, so retrying is safe
                            try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                            continue
                        }
                    }
                    return .failOver("\(error.status): \(error.message)")
                default:
                    service.health.recordFailure(candidate.key, now: now(), message: error.message)
                    return .failOver("\(error.status): \(error.message)")
                }
            }
        }
    }

    /// Jittered exponential back-off, at least the provider's Retry-After.
    func backoff(attempt: Int, retryAfterMs: Int?) -> TimeInterval {
        JobExecution.backoff(attempt: attempt, retryAfterMs: retryAfterMs)
    }

    /// The longest wait a plugin's `retry_after_ms` can ask for: a day, the longest deadline.
    /// A plugin answer is outside input: an unbounded value became `UInt64(seconds * 1e9)` for
    /// the sleep, which traps (and kills the host) beyond ~584 years.
    static let maximumRetryAfter: TimeInterval = 86_400

    static func backoff(attempt: Int, retryAfterMs: Int?) -> TimeInterval {
        let base = min(8.0, 0.25 * pow(2.0, Double(min(max(attempt, 1), 64) - 1)))
        let jittered = base * Double.random(in: 0.5...1.0)
        return max(jittered, min(Double(max(0, retryAfterMs ?? 0)) / 1000, maximumRetryAfter))
    }

    func requestJSON(_ job: Job, candidate: ModelTable.Candidate) -> JSONValue {
        var o: [String: JSONValue] = [
            "schema": 1, "job_id": .string(job.id), "model": .string(candidate.providerModel),
            "model_name": .string(job.model), "prompt": .string(job.prompt),
            "negative_prompt": job.negativePrompt.map { .string($0) } ?? .null,
            "width": .number(Double(job.parameters.width)), "height": .number(Double(job.parameters.height)),
            "steps": job.parameters.steps.map { .number(Double($0)) } ?? .null,
            "guidance_scale": job.parameters.guidanceScale.map { .number($0) } ?? .null,
            "seed": job.parameters.seed.map { .number(Double($0)) } ?? .null,
            "num_outputs": .number(Double(job.outputs)),
            "deadline_ms": .number((job.deadlineAt.timeIntervalSince1970 * 1000).rounded()),
            "allow_nsfw": .bool(candidate.nsfwAllowed && (service.runtime.configuration.categories[job.category]?.adult ?? false)),
        ]
        if !candidate.options.isEmpty { o["options"] = .object(candidate.options) }
        addDerivedFields(job, to: &o)
        return .object(o)
    }
}
