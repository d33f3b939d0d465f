import Foundation
import Catalog
import ContentCredentials
import ImagegenConfig
import ImagegenCore
import Imaging
import Security
import Synchronization

/// Turns requests into queued, priced jobs: validate → check routing → price → reserve and
/// queue in one catalog transaction. Nothing reaches a provider here; `JobRunner` does that.
public final class GenerationService: Sendable {
    public let runtime: HostRuntime
    public let catalog: any CatalogStore
    public let health: HealthBoard
    public let content: ContentStore
    public let clock: @Sendable () -> Date
    /// Told about every image (and derivative) once its file and catalog row are committed.
    public let imageStored = ImageStoredHooks()
    let extraCategories: @Sendable () -> [String: CategorySettings]
    /// libvips: the full check of every provider output (decode, limits, bombs) and its
    /// quality score. nil only when libvips cannot start; the light magic-byte check still runs.
    public let imaging: ImageWorkshop?
    /// Signs every published derivative with a C2PA manifest when `labelling.c2pa` is on (the
    /// composition root builds it, or refuses to start).
    public let contentCredentials: ContentCredentialsSigner?
    /// Tombstones of taken-down images: a template and seed that made one is never generated again.
    let takedowns: (any TakedownStore)?
    /// The output nudity check (`output_check`); nil when it is off (GenerationService+OutputCheck.swift).
    let outputCheckSlot = Mutex<OutputCheck?>(nil)

    public init(runtime: HostRuntime, catalog: any CatalogStore, takedowns: (any TakedownStore)? = nil, health: HealthBoard? = nil,
                clock: @escaping @Sendable () -> Date = { Date() },
                extraCategories: @escaping @Sendable () -> [String: CategorySettings] = { [:] },
                contentCredentials: ContentCredentialsSigner? = nil) {
        self.runtime = runtime
        self.contentCredentials = contentCredentials
        self.catalog = catalog
        self.takedowns = takedowns
        let log = runtime.log
        self.health = health ?? HealthBoard(settings: runtime.configuration.health) { key, failures, message in
            log.warning("circuit opened for \(key) after \(failures) consecutive failures: \(message ?? "")")
        }
        self.content = ContentStore(dataDirectory: runtime.paths.data, prompts: runtime.security.prompts)
        self.clock = clock
        self.extraCategories = extraCategories
        do {
            imaging = try ImageWorkshop(configuration: runtime.configuration.imaging)
        } catch {
            runtime.log.warning("imaging is unavailable (\(error)); provider outputs get only the format check")
            imaging = nil
        }
        runtime.pluginHealth.register("circuits", self.health)
    }

    public var budgets: BudgetPolicy { BudgetPolicy(settings: runtime.configuration.budgets) }

    public func validator() -> RequestValidator {
        RequestValidator(configuration: runtime.configuration, models: runtime.models, extraCategories: extraCategories())
    }

    /// Validates and queues one request (one job per variation). Throws `ValidationError`,
    /// `BudgetRefusal` or `UnpricedModelRefusal`; nothing is queued then.
    public func enqueue(_ request: GenerationRequest, allowPartial: Bool = false, idempotencyKey: String? = nil) throws -> [Job] {
        // Hard blocks first, then adult wording outside adult categories (RequestScreen.swift).
        let request = try screen(request)
        let v = try runtime.security.auditingRefusals(model: request.model, category: request.category) { try validator().validate(request) }
        return try enqueue(v, allowPartial: allowPartial, idempotencyKey: idempotencyKey)
    }

    /// - Parameter idempotencyKey: the batch's key; job i gets "<key>#<i>", and queuing the same
    ///   key again returns the jobs already queued under it (safe retries after a crash).
    public func enqueue(_ v: ValidatedRequest, allowPartial: Bool = false, variants: [JobVariant]? = nil,
                        idempotencyKey: String? = nil) throws -> [Job] {
        try screenHardBlocks(v, prompts: (variants ?? []).map { ($0.prompt, $0.negativePrompt) } + [(v.prompt, v.negativePrompt)])
        let now = clock()
        let usable = v.model.candidates.filter { ContentPolicy.modelMayServe(isAdultCategory: v.adult, modelAllowsNSFW: $0.nsfwAllowed) }
        let costs = usable.map { $0.price?.expectedCost(width: v.parameters.width, height: v.parameters.height, outputs: 1) }
        let budgets = self.budgets
        var expected: Double? = costs.compactMap { $0 }.max()
        if costs.first.flatMap({ $0 }) == nil {
            // The primary candidate has no price: nothing can be reserved for it.
            if !budgets.windows(category: v.category, at: now).isEmpty && !budgets.allowsUnpriced {
                throw UnpricedModelRefusal(model: v.model.name)
            }
            expected = nil
        }
        let batch = RecordID.make("bat")
        let base = v.parameters.seed ?? 0
        let items = variants ?? (0..<v.variations).map { i in
            // Distinct seeds, deterministic from the base seed.
            JobVariant(prompt: v.prompt, negativePrompt: v.negativePrompt, seed: base &+ UInt32(i), tags: v.tags)
        }
        let jobs = items.enumerated().map { index, item in
            var parameters = v.parameters
            parameters.seed = item.seed
            return NewJob(id: RecordID.make("job"), batchID: batch, model: v.model.name, category: v.category,
                          priority: v.priority, prompt: item.prompt, negativePrompt: item.negativePrompt, parameters: parameters,
                          outputs: 1, tags: item.tags, extra: v.extra.merging(item.extra) { _, new in new },
                          expectedCost: expected, deadline: now.addingTimeInterval(v.deadlineSeconds),
                          idempotencyKey: idempotencyKey.map { "\($0)#\(index)" })
        }
        try refuseTakenDown(jobs)
        // Content policy, quotas and the locked check, before anything is queued (Security/).
        let admission = try runtime.security.admitEnqueue(v, prompts: items.map { ($0.prompt, $0.negativePrompt) },
                                                          extra: v.extra.merging(items.first?.extra ?? [:]) { _, new in new })
        do {
            let queued = try catalog.enqueue(jobs, budgets: budgets, now: now, allowPartial: allowPartial)
            admission.commit(queued, queuedAt: now)
            return queued
        } catch {
            admission.abandon(error)
            throw error
        }
    }

    /// One job of a batch: what differs between variations.
    public struct JobVariant: Sendable {
        public var prompt: String
        public var negativePrompt: String?
        public var seed: UInt32
        public var tags: [String]
        /// Provenance recorded on the image (template, version, arm, profile, placeholders...).
        public var extra: [String: String] = [:]
    }

    /// Which candidate would take a job for `model` now, and why the others would not.
    public func route(model: String, category: String? = nil, width: Int? = nil, height: Int? = nil) throws(ValidationError) -> Router.Plan {
        let table = runtime.models
        guard let entry = table.resolve(model) else { throw .unknownModel(model, known: table.sortedEntries.map(\.name)) }
        let d = runtime.configuration.defaults
        let categories = runtime.configuration.categories.merging(extraCategories()) { a, _ in a }
        let adult = categories[category ?? d.category]?.adult ?? false
        return Router(health: health).plan(entry, adult: adult, width: width ?? d.width, height: height ?? d.height, outputs: 1,
                                           loaded: Set(runtime.plugins.generations.map(\.manifest.id)), tried: [], now: clock(),
                                           missingSecrets: runtime.missingSecrets())
    }
}
