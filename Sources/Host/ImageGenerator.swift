import Foundation
import Composition
import Catalog
import Crypto
import ImagegenConfig
import ImagegenCore
import Operations
import Pipeline
import Security

/// The library API: what the product's examples call.
///
/// ```swift
/// let generator = try ImageGenerator()
/// let images = try await generator.generateCustom(prompt: "a red teapot on a wooden table",
///                                                 parameters: GenerationParameters(width: 512, height: 512))
/// print(images[0].filePath)
/// ```
///
/// It opens the same host as the CLI (config, plugins, catalog under the data folder) and runs
/// jobs in-process unless another process (`imagegen serve`) already runs them.
public final class ImageGenerator: Sendable {
    public struct Configuration: Sendable {
        public var paths: HostPaths
        /// Overrides the config file when set.
        public var settings: HostConfiguration?
        public var log: Log
        public init(paths: HostPaths = HostPaths(), settings: HostConfiguration? = nil, log: Log = Log(minimum: .warning)) {
            self.paths = paths
            self.settings = settings
            self.log = log
        }
    }

    /// The host this generator runs on, built by the one composition root the CLI and serve use.
    public let composition: HostComposition
    public let service: GenerationService
    public let templates: TemplateStore
    let runner: JobRunner?
    let lock: RunnerLock?
    /// The upload queue when a `storage` section is configured; nil in local-only mode. Every stored
    /// image is queued into it; `imagegen serve` runs an `UploadWorker` over it.
    public let uploads: UploadQueue?
    /// Renders the derivatives of the images this process stores (nil when another process
    /// runs the jobs, or libvips is unavailable); `wait(for:)` returns once they are stored.
    public let postProcessing: PostProcessingQueue?

    public init(configuration: Configuration = Configuration()) throws {
        // Fail at start, with the reason, if libsodium cannot initialise (not later, inside a job).
        try SodiumRuntime.prepare()
        let host = try HostComposition.open(paths: configuration.paths, log: configuration.log, configuration: configuration.settings)
        composition = host
        templates = host.templates
        service = host.service
        uploads = host.uploads
        lock = host.runnerLock()
        runner = lock == nil ? nil : JobRunner(service: service)
        postProcessing = runner == nil ? nil : try host.postProcessingQueue()
    }

    /// Starts the in-process runner if this process holds the runner lock (idempotent).
    public func startRunner() async {
        await runner?.start()
        await postProcessing?.start(sweepBacklog: false)
    }

    /// Works through the post-processing backlog now (a plan's maintenance slot run from the
    /// CLI) and returns how many images it held. Zero when another process runs the jobs: that
    /// process (`imagegen serve`) owns the backlog.
    public func processBacklog() async -> Int {
        guard let postProcessing else { return 0 }
        await postProcessing.start(sweepBacklog: false)
        return await postProcessing.processBacklog()
    }

    /// Waits until the derivatives of `images` (originals) are rendered or have failed; at once
    /// when post-processing is not automatic or another process runs the jobs.
    public func waitForPostProcessing(of images: [ImageRecord]) async {
        guard let postProcessing, postProcessing.processor.settings.automatic else { return }
        await postProcessing.drain(images.filter { $0.variant == "original" }.map(\.imageID))
    }

    /// Generates from a prompt; returns one metadata record per stored image.
    public func generateCustom(prompt: String, negativePrompt: String? = nil, parameters: GenerationParameters? = nil,
                               model: String? = nil, category: String? = nil, variations: Int = 1) async throws -> [ImageRecord] {
        let request = GenerationRequest(model: model, prompt: prompt, negativePrompt: negativePrompt, width: parameters?.width,
                                        height: parameters?.height, steps: parameters?.steps,
                                        guidanceScale: parameters?.guidanceScale, seed: parameters?.seed.map(Int64.init),
                                        category: category, variations: variations)
        let jobs = try await submit(request)
        return try await wait(for: jobs)
    }

    /// Generates from a template (or the first template of a category): the product's
    /// `generate(category:template:variations:)`. Each image records its template, version,
    /// placeholder values, seed and experiment arm.
    public func generate(category: String? = nil, template: String? = nil, variations: Int = 1, model: String? = nil,
                         profile: String? = nil, seed: UInt64? = nil) async throws -> [ImageRecord] {
        let jobs = try await submit(TemplateRequest(template: template, category: category, variations: variations, model: model,
                                                    seed: seed, profile: profile))
        return try await wait(for: jobs)
    }

    public func submit(_ request: TemplateRequest) async throws -> [Job] {
        await startRunner()
        let jobs = try service.enqueue(template: request, templates: templates)
        await runner?.wake()
        return jobs
    }

    /// A new version of an image: same prompt and parameters, a new seed unless given; the new
    /// image's `parent_id` is the original and its `version` one more.
    public func regenerate(imageID: String, seed: UInt32? = nil) async throws -> [Job] {
        // The prompt must really open: never regenerate from an "[encrypted]" placeholder.
        let stored = try (service.catalog as? any PromptRevealingImageStore)?.image(revealingPrompts: imageID)
            ?? service.catalog.image(imageID)
        guard let original = stored else { throw GenerationLookupError.unknownImage(imageID) }
        var extra = original.extra
        // A regenerated variation is drawn again from the prompt, not varied again.
        for key in GenerationKind.extraKeys { extra[key] = nil }
        extra["parent_id"] = original.imageID
        let request = GenerationRequest(
            model: original.model, prompt: original.prompt, negativePrompt: original.negativePrompt,
            width: original.parameters.width, height: original.parameters.height, steps: original.parameters.steps,
            guidanceScale: original.parameters.guidanceScale, seed: Int64(seed ?? UInt32.random(in: 1...UInt32.max - 1)),
            category: original.category, tags: original.tags, extra: extra)
        return try await submit(request)
    }

    /// A variation of a stored image (image-to-image), stored as its next version.
    public func vary(imageID: String, model: String? = nil, strength: Double? = nil) async throws -> [Job] {
        await startRunner()
        let jobs = try service.enqueueDerived(from: imageID, kind: .vary, model: model, strength: strength)
        await runner?.wake()
        return jobs
    }

    /// An upscaled copy of a stored image (width and height × `scale`), stored as its next version.
    public func upscale(imageID: String, model: String? = nil, scale: Int? = nil) async throws -> [Job] {
        await startRunner()
        let jobs = try service.enqueueDerived(from: imageID, kind: .upscale, model: model, scale: scale)
        await runner?.wake()
        return jobs
    }

    /// Queues a request (one job per variation) and returns the jobs at once.
    public func submit(_ request: GenerationRequest) async throws -> [Job] {
        await startRunner()
        let jobs = try service.enqueue(request)
        await runner?.wake()
        return jobs
    }

    /// Waits until every job is finished; returns their images, or throws the first failure.
    public func wait(for jobs: [Job], progress: (@Sendable ([Job]) -> Void)? = nil) async throws -> [ImageRecord] {
        let finished = try await waitUntilFinished(jobs, progress: progress)
        if let bad = finished.first(where: { $0.state != .succeeded }) { throw GenerationFailure(job: bad) }
        // In the order of the jobs (variation order), outputs of one job by image id.
        let images = try finished.flatMap { try service.catalog.images(ImageFilter(jobID: $0.id)).sorted { $0.imageID < $1.imageID } }
        await waitForPostProcessing(of: images)
        return images
    }

    /// Waits until every job is in a final state, whatever it is.
    public func waitUntilFinished(_ jobs: [Job], progress: (@Sendable ([Job]) -> Void)? = nil) async throws -> [Job] {
        var done: [String: Job] = [:]
        var pending = jobs.map(\.id)
        // Without a progress callback only final jobs need their rows: one light query says
        // which ids are final and only those rows are read (rereading every pending row on each
        // runner change made the waiter cost more CPU than the jobs). A full read each second
        // still drops ids the catalog no longer has, as before.
        let overview = progress == nil ? service.catalog as? any JobOverviewStore : nil
        var nextFullRead = Date().addingTimeInterval(1)
        while true {
            let current: [Job]
            if let overview, Date() < nextFullRead {
                let final = try overview.finalJobIDs(among: pending)
                current = final.isEmpty ? [] : try service.catalog.jobs(ids: pending.filter(final.contains))
                pending.removeAll { final.contains($0) }
            } else {
                current = try service.catalog.jobs(ids: pending)
                pending = current.filter { !$0.state.isTerminal }.map(\.id)
                nextFullRead = Date().addingTimeInterval(1)
            }
            for j in current where j.state.isTerminal { done[j.id] = j }
            if let progress {
                let byID = Dictionary(current.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                progress(jobs.map { j in done[j.id] ?? byID[j.id] ?? j })
            }
            if pending.isEmpty { return jobs.map { done[$0.id] ?? $0 } }
            if let runner {
                await runner.waitForChange(milliseconds: 250)
            } else {
                // Another process runs the jobs: poll the catalog.
                try await Task.sleep(nanoseconds: 100_000_000)
            }
        }
    }

    /// Runs queued and unfinished jobs until none is left, then the post-processing backlog
    /// (`imagegen jobs run`). Returns false when another process holds the runner lock.
    public func drain() async throws -> Bool {
        guard let runner else { return false }
        await runner.start()
        while true {
            let active = try JobState.active.reduce(0) { n, s in n + (try service.catalog.jobs(state: s, batch: nil, limit: 1).count) }
            if active == 0, await runner.inFlight == 0 {
                // Images still rendering and what a crash or a switched-off queue left behind.
                _ = await processBacklog()
                return true
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Stops the in-process runner; unfinished jobs resume on the next start.
    public func shutdown(grace: TimeInterval = 5) async {
        await runner?.stop(grace: grace)
        await postProcessing?.stop()
        service.runtime.plugins.shutdown()
        // Nothing runs jobs here any more: the next generator over this folder may.
        lock?.release()
    }
}

public enum GenerationLookupError: Error, Sendable, CustomStringConvertible {
    case unknownImage(String)
    public var description: String {
        switch self {
        case .unknownImage(let id): return "no image \(id); list them with `imagegen images list`"
        }
    }
}

/// A job that did not end with stored images.
public struct GenerationFailure: Error, Sendable, CustomStringConvertible {
    public var job: Job
    public var description: String {
        "\(job.id) \(job.state.rawValue): \(job.errorMessage ?? job.errorCode ?? "no detail")"
    }
}
