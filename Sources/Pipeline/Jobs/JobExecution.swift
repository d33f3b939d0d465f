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
        defer { service.runtime.security.jobFinished(job, state: state, error: error) }
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
        if job.state == .queued {
            guard let submitted = await submit(job) else { return }
            job = submitted
        }
        guard let ref = job.jobRef, let plugin = job.pluginID else {
            return finish(.failed, ("internal", "the job has no provider reference"))
        }
        guard let result = await pollUntilDone(job, ref: ref, plugin: plugin) else { return }
        await store(job, result: result, plugin: plugin)
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
                        // try?: a cancelled sleep only shortens the back-off; the plugin promised idempotent submits
                        try? await Task.sleep(nanoseconds: UInt64(backoff(attempt: attempt, retryAfterMs: nil) * 1e9))
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

    // MARK: - Poll

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
                // try?: a cancelled sleep means the host is stopping; the loop's first check returns
                try? await Task.sleep(nanoseconds: 200_000_000)
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
                    // try?: a cancelled sleep means the host is stopping; the loop's first check returns
                    try? await Task.sleep(nanoseconds: UInt64(min(wait, max(0.01, job.deadlineAt.timeIntervalSince(now()))) * 1e9))
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
                    // try?: a cancelled sleep means the host is stopping; the loop's first check returns
                    try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
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
                    // try?: a cancelled sleep means the host is stopping; the loop's first check returns
                    try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
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

    // MARK: - Fetch and store

    func store(_ job: Job, result: (PollState, JSONValue), plugin: String) async {
        let (state, ref) = result
        var instance: PluginInstance
        do {
            instance = try service.runtime.plugins.instance(forPlugin: plugin)
        } catch {
            return finish(.failed, ("plugin_unavailable", "plugin \(plugin) is not loaded, so the outputs cannot be fetched: \(error.message)"))
        }
        let indices = state.outputIndices.isEmpty ? Array(0..<job.outputs) : state.outputIndices
        let entry = service.runtime.models.resolve(job.model)
        let candidate = entry?.candidates.first { $0.plugin == plugin && $0.providerModel == job.providerModel }
        // Cost: the provider's figure wins; else the price rule; else unknown (nil).
        let totalCost: Double?
        let costSource: String
        if let reported = state.costUSD {
            totalCost = reported
            costSource = "provider"
        } else if let rule = candidate?.price,
                  let c = rule.actualCost(width: job.parameters.width, height: job.parameters.height,
                                          outputs: indices.count, providerSeconds: state.providerTime,
                                          tokens: state.tokenUsage) {
            totalCost = c
            costSource = "rule"
        } else {
            totalCost = nil
            costSource = "unknown"
        }
        let perImage = totalCost.map { $0 / Double(max(1, indices.count)) }
        let generatedAt = now()
        // A regeneration is a new version of its parent image.
        let parentID = job.extra["parent_id"]
        // A failed read must not store the new version as 1 beside its parent: end the job as
        // the read of a committed output below does.
        let parentVersion: Int?
        do {
            parentVersion = try parentID.flatMap { try catalog.image($0) }?.version
        } catch {
            return finish(.failed, ("catalog", "cannot read the parent image \(parentID ?? "") of the regeneration: \(error)"),
                          cost: totalCost, costSource: costSource, providerTime: state.providerTime)
        }
        for index in indices {
            let imageID = JobExecution.imageID(jobID: job.id, index: index)
            // The catalog row is the one source of truth for an image's record. A row for this
            // output means an earlier run committed it and was killed before finishing the job:
            // keep that run's file and record (its generated_at, processing_time, cost) rather
            // than fetching again and writing a sidecar the catalog would never match.
            let committed: ImageRecord?
            do {
                committed = try catalog.image(imageID)
            } catch {
                return finish(.failed, ("catalog", "cannot read the record of output \(index): \(error)"),
                              cost: totalCost, costSource: costSource, providerTime: state.providerTime)
            }
            if let committed {
                do {
                    try await restoreCommitted(committed, job: job)
                } catch {
                    return finish(.failed, ("storage", "cannot restore the sidecar of output \(index): \(error)"),
                                  cost: totalCost, costSource: costSource, providerTime: state.providerTime)
                }
                continue
            }
            var bytes: [UInt8] = []
            var attempt = 0
            while true {
                attempt += 1
                let r = ref
                do throws(PluginCallError) {
                    bytes = try await callPlugin(plugin, "fetch", instance: &instance) { (i) throws(PluginCallError) in try i.fetch(r, index: index) }
                    break
                } catch {
                    // The host is stopping (the plugin retired): the job resumes at the next start.
                    if error.generationRetired { return }
                    if error.pluginFault {
                        return failPluginFault(error, plugin: plugin, providerModel: job.providerModel,
                                               cost: totalCost, costSource: costSource, providerTime: state.providerTime)
                    }
                    if ([.provider, .timeout, .rateLimited].contains(error.status) || error.isolation != nil) && attempt < 4 {
                        // try?: a cancelled sleep only shortens the back-off; fetching again is a read
                        try? await Task.sleep(nanoseconds: UInt64(backoff(attempt: attempt, retryAfterMs: error.retryAfterMilliseconds) * 1e9))
                        continue
                    }
                    let what = error.status == .notFound ? "output \(index) is no longer available at the provider (expired?)" : "cannot download output \(index)"
                    return finish(.failed, (error.isolation != nil ? "plugin_crashed" : error.status.description, "\(plugin): \(what): \(error.message)"),
                                  cost: totalCost, costSource: costSource, providerTime: state.providerTime)
                }
            }
            var verified: ImageCheck.Result
            switch ImageCheck.verify(bytes, declaredMIME: state.mime(for: index)) {
            case .success(let v): verified = v
            case .failure(let problem):
                return finish(.failed, ("bad_image", "\(plugin) returned output \(index) that is not a usable image: \(problem)"),
                              cost: totalCost, costSource: costSource, providerTime: state.providerTime)
            }
            // The full check (libvips decodes it: truncation, corruption, decompression bombs)
            // and the quality score, before anything is stored as a good image.
            var quality: QualityReport?
            var tags = job.tags
            var decoded: VerifiedImage?
            if let workshop = service.imaging {
                do throws(ImageInputError) {
                    let image = try workshop.verify(Data(bytes), declaredMIMEType: verified.mime)
                    decoded = image
                    verified.width = image.width
                    verified.height = image.height
                    // try?: the score is advisory (nil = not scored); the image itself passed the full check above
                    quality = try? workshop.score(image)
                    // Colours measured on the image, so a filter finds what the prompt did not say.
                    for colour in (try? workshop.dominantColours(image)) ?? [] where !tags.contains(colour) { tags.append(colour) }  // try?: tags are advisory; an image whose colours cannot be read keeps its prompt's tags
                } catch {
                    return finish(.failed, ("bad_image", "\(plugin) returned output \(index) that is not a usable image: \(error)"),
                                  cost: totalCost, costSource: costSource, providerTime: state.providerTime)
                }
            }
            // The output nudity check, on the same decode, before the image is stored as a good one:
            // a quarantined image is kept with its verdict but never available, uploaded or processed.
            let verdict = await outputVerdict(image: decoded, bytes: bytes, category: job.category)
            let relative = service.content.relativePath(category: job.category, date: job.createdAt, imageID: imageID,
                                                        ext: ContentStore.fileExtension(mime: verified.mime))
            let record = ImageRecord(
                imageID: imageID, prompt: job.prompt, negativePrompt: job.negativePrompt, model: job.model,
                parameters: .init(width: verified.width ?? job.parameters.width, height: verified.height ?? job.parameters.height,
                                  steps: job.parameters.steps, guidanceScale: job.parameters.guidanceScale,
                                  seed: state.seed ?? job.parameters.seed),
                category: job.category, tags: tags, filePath: relative,
                metadata: .init(generatedAt: JobExecution.iso(generatedAt), apiUsed: "\(plugin)/\(job.providerModel ?? "")",
                                cost: perImage, processingTime: generatedAt.timeIntervalSince(job.submittedAt ?? job.createdAt)),
                status: verdict?.quarantined == true ? ImageRecord.quarantined : ImageRecord.completed,
                version: parentVersion.map { $0 + 1 } ?? 1, parentID: parentID, variant: "original",
                contentSHA256: SHA256Digest.of(bytes).hex, jobID: job.id, mime: verified.mime, bytes: bytes.count,
                qualityScore: quality?.score, quality: quality, outputCheck: verdict, extra: job.extra)
            do {
                let content = service.content, catalog = self.catalog, providerModel = job.providerModel, fetched = bytes
                let stored = service.imageStored
                // Durability order, and what a kill between the steps leaves for the resumed run:
                // 1. image file + sidecar (atomic, fsynced): files without a row; the resumed
                //    run finds no row, builds its own record and overwrites both files;
                // 2. the row (with its ledger entry), built from the same record as the sidecar:
                //    the commit point; the resumed run finds it and only rewrites the sidecar
                //    from it (`restoreCommitted`), so file, sidecar and row always agree;
                // 3. observers, told again on resume (they are idempotent).
                // A row therefore never names a file that is not on disk.
                // The files' fsyncs are shared with every job storing in the same round
                // (AtomicFileBatch); the row is written only once they are durable.
                let staged = try await BlockingWork.run {
                    CrashPoint.whileWriting.hit()
                    return try content.stage(image: fetched, record: record)
                }
                try await AtomicFileBatch.shared.commit(staged)
                try await BlockingWork.run {
                    try catalog.storeImage(record, outputIndex: index, pluginID: plugin, providerModel: providerModel,
                                           costSource: costSource)
                    // Observers (the upload queue) write to the catalog too: off the cooperative pool as well.
                    stored.notify(ImageStoredEvent(record: record, dataDirectory: content.dataDirectory))
                    CrashPoint.afterStore.hit()
                }
            } catch {
                return finish(.failed, ("storage", "cannot store output \(index): \(error)"),
                              cost: totalCost, costSource: costSource, providerTime: state.providerTime)
            }
        }
        finish(.succeeded, cost: totalCost, costSource: costSource, providerTime: state.providerTime)
    }

    /// An output an earlier run committed (file, then row): its sidecar is rewritten from the
    /// row (repairing it whatever state the kill left it in) and the observers are told again,
    /// since the earlier run may have died before telling them. The file is the row's: it was
    /// on disk before the row was committed, so it is not fetched or written again.
    func restoreCommitted(_ committed: ImageRecord, job: Job) async throws {
        var record = committed
        // A catalog read masks a prompt it cannot open; the row was sealed from this job's own.
        record.prompt = job.prompt
        record.negativePrompt = job.negativePrompt
        let content = service.content, stored = service.imageStored, final = record
        try await BlockingWork.run {
            try content.writeSidecar(final)
            stored.notify(ImageStoredEvent(record: final, dataDirectory: content.dataDirectory))
        }
    }

    /// Deterministic per (job, output): a resumed job finds the row an earlier run committed.
    static func imageID(jobID: String, index: Int) -> String {
        "img_" + jobID.dropFirst(4) + (index == 0 ? "" : "_\(index)")
    }

    static func iso(_ d: Date) -> String {
        RecordTime.iso(d)
    }
}

/// A poll (or submit) result as the ABI defines it.
struct PollState: Sendable {
    let raw: JSONValue
    init(_ raw: JSONValue) { self.raw = raw }

    var jobState: JobState {
        switch raw["state"]?.string {
        case "queued": return .queued
        case "running": return .running
        case "succeeded": return .succeeded
        case "failed": return .failed
        case "cancelled": return .cancelled
        case "content_filtered": return .contentFiltered
        default: return .running
        }
    }
    /// Clamped to 0...1: a plugin's number is outside input.
    var progress: Double? { raw["progress"]?.number.flatMap { $0.isFinite ? min(1, max(0, $0)) : nil } }
    /// Clamped before the conversion: `Int(1e300)` traps.
    var nextPollMs: Int? { raw["next_poll_ms"]?.number.flatMap { $0.isFinite ? Int(min(86_400_000, max(0, $0))) : nil } }
    var costUSD: Double? { raw["cost_usd"]?.number }
    var providerTime: Double? { raw["provider_time_s"]?.number }
    var seed: UInt32? { raw["seed"]?.number.flatMap { UInt32(exactly: $0) } }
    var outputIndices: [Int] { raw["outputs"]?.array?.compactMap { $0["index"]?.int } ?? [] }
    func mime(for index: Int) -> String? {
        raw["outputs"]?.array?.first { $0["index"]?.int == index }?["mime"]?.string
    }
    var errorMessage: String? { raw["error"]?["message"]?.string }
    var errorCode: String? {
        raw["error"]?["status"]?.number.map { PluginStatus(code: Int32(exactly: $0) ?? -1).description }
    }
}
