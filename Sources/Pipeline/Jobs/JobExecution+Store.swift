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

/// Fetching the outputs of a finished job and storing them durably before the job is reported done.
extension JobExecution {
    /// - Parameter resumed: the job was submitted by an earlier run, which may have committed
    ///   some outputs before it was killed; a job this run submitted cannot have any.
    func store(_ job: Job, result: (PollState, JSONValue), plugin: String, resumed: Bool = true) async {
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
                committed = resumed ? try catalog.image(imageID) : nil
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
                        try? await Task.sleep(nanoseconds: UInt64(backoff(attempt: attempt, retryAfterMs: error.retryAfterMilliseconds) * 1e9))  // try?: a cancelled sleep only shortens the back-off; fetching again is a read
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
            var fingerprint: PerceptualHash?
            if let workshop = service.imaging {
                do throws(ImageInputError) {
                    // The one decode of this output: the score, the colours, the fingerprint and
                    // the output check below all read these pixels.
                    let image = try workshop.verify(Data(bytes), declaredMIMEType: verified.mime)
                    decoded = image
                    verified.width = image.width
                    verified.height = image.height
                } catch {
                    return finish(.failed, ("bad_image", "\(plugin) returned output \(index) that is not a usable image: \(error)"),
                                  cost: totalCost, costSource: costSource, providerTime: state.providerTime)
                }
            }
            // The output nudity check, on the same decode, before the image is stored as a good one:
            // a quarantined image is kept with its verdict but never available, uploaded or processed.
            // The detector works in its own process while the measurements below run here: the
            // job waits for the longer of the two, not for both.
            let checked = decoded, category = job.category
            async let pendingVerdict = outputVerdict(image: checked, bytes: bytes, category: category)
            if let workshop = service.imaging, let image = checked {
                quality = try? workshop.score(image)  // try?: the score is advisory (nil = not scored); the image itself passed the full check above
                // Colours measured on the image, so a filter finds what the prompt did not say.
                for colour in (try? workshop.dominantColours(image)) ?? [] where !tags.contains(colour) { tags.append(colour) }  // try?: tags are advisory; an image whose colours cannot be read keeps its prompt's tags
                fingerprint = try? workshop.perceptualHash(image)  // try?: nil leaves the hash to the fingerprint recorder, which then decodes the stored file itself
            }
            let verdict = await pendingVerdict
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
                let hash = fingerprint
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
                    stored.notify(ImageStoredEvent(record: record, dataDirectory: content.dataDirectory, perceptualHash: hash))
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
