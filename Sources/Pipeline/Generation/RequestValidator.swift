import Foundation
import ImagegenConfig
import ImagegenCore
import PluginHost
import Security
import Templates

/// Why a request was refused before anything was spent. Each names the field, the value and
/// what is allowed.
public enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownModel(String, known: [String])
    case field(String, value: String, allowed: String)
    case unknownCategory(String, known: [String])
    case adultCategoryWithoutAttestation(String)
    case noModelAllowsAdultContent(model: String, category: String)
    /// The content policy refused the request (e.g. an attestation that cannot be relied on).
    case policy(PolicyRefusal)
    /// `vary`/`upscale` asked of a model none of whose candidates declares the capability.
    case capabilityMissing(model: String, kind: GenerationKind, capable: [String])

    public var description: String {
        switch self {
        case .unknownModel(let m, let known):
            return "model \"\(m)\" is not served by any loaded plugin. Known models: \(known.joined(separator: ", ")). See `imagegen models`."
        case .field(let f, let v, let allowed):
            return "\(f): \(v) is not allowed: \(allowed)"
        case .unknownCategory(let c, let known):
            return "category \"\(c)\" is unknown. Known categories: \(known.joined(separator: ", ")). Add it under categories in the config or in a template file."
        case .adultCategoryWithoutAttestation(let c):
            return "category \"\(c)\" is adult content and needs the operator's age-verification attestation: set attestation: { attested_by: \"name\", attested_at: \"YYYY-MM-DD\" } in the config."
        case .noModelAllowsAdultContent(let m, let c):
            return "category \"\(c)\" is adult content, and no candidate of model \"\(m)\" is from a provider whose terms allow it. Choose a model with nsfw_allowed (see `imagegen models`)."
        case .policy(let refusal):
            return refusal.description
        case .capabilityMissing(let m, let kind, let capable):
            return "model \"\(m)\" cannot \(kind.rawValue) an image (no candidate declares \"\(kind.capability)\"). "
                + (capable.isEmpty ? "No loaded model can; install a plugin that does (see `imagegen models`)."
                                   : "Models that can: \(capable.joined(separator: ", ")); choose one with --model.")
        }
    }
}

/// A request checked and completed with defaults: ready to price and queue.
public struct ValidatedRequest: Sendable {
    public var model: ModelTable.Entry
    public var prompt: String
    public var negativePrompt: String?
    public var parameters: GenerationParameters
    public var category: String
    public var adult: Bool
    public var variations: Int
    public var tags: [String]
    public var priority: Int
    public var deadlineSeconds: Double
    public var extra: [String: String]
}

/// The rules of issue 3, in one place.
public struct RequestValidator: Sendable {
    public static let seedRange: ClosedRange<Int64> = 0...Int64(UInt32.max)
    let configuration: Configuration
    let models: ModelTable
    let categories: [String: CategorySettings]

    public init(configuration: Configuration, models: ModelTable, extraCategories: [String: CategorySettings] = [:]) {
        self.configuration = configuration
        self.models = models
        self.categories = configuration.categories.merging(extraCategories) { a, _ in a }
    }

    public func validate(_ r: GenerationRequest) throws(ValidationError) -> ValidatedRequest {
        let d = configuration.defaults
        let modelName = r.model ?? d.model
        guard let entry = models.resolve(modelName) else {
            throw .unknownModel(modelName, known: models.sortedEntries.map(\.name))
        }
        let prompt = r.prompt.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !prompt.isEmpty else { throw .field("prompt", value: "\"\"", allowed: "must not be empty") }
        guard prompt.count <= d.maxPromptLength else {
            throw .field("prompt", value: "\(prompt.count) characters", allowed: "at most \(d.maxPromptLength) characters (defaults.max_prompt_length)")
        }
        if let n = r.negativePrompt, n.count > d.maxPromptLength {
            throw .field("negative_prompt", value: "\(n.count) characters", allowed: "at most \(d.maxPromptLength) characters")
        }
        // A vary/upscale names the model's missing capability before any size it would refuse anyway.
        let kind = r.kind ?? .generate
        var extra = r.extra ?? [:]
        if kind != .generate {
            try checkDerived(r, kind: kind, entry: entry, extra: &extra)
        }
        // Size limits: the widest range any candidate accepts; the router narrows per candidate.
        let minSize = entry.candidates.map(\.limits.minSize).min() ?? 64
        let maxSize = entry.candidates.map(\.limits.maxSize).max() ?? 2048
        let width = r.width ?? d.width, height = r.height ?? d.height
        for (name, v) in [("width", width), ("height", height)] {
            guard v > 0, v % 8 == 0, v >= minSize, v <= maxSize else {
                throw .field(name, value: "\(v)", allowed: "a multiple of 8 within \(minSize)...\(maxSize) for model \(entry.name)")
            }
        }
        let steps = r.steps ?? d.steps
        guard (1...150).contains(steps) else { throw .field("steps", value: "\(steps)", allowed: "within 1...150") }
        let guidance = r.guidanceScale ?? d.guidanceScale
        guard guidance.isFinite, (0...30).contains(guidance) else {
            throw .field("guidance_scale", value: "\(guidance)", allowed: "within 0...30")
        }
        if let s = r.seed, !RequestValidator.seedRange.contains(s) {
            throw .field("seed", value: "\(s)", allowed: "within 0...\(UInt32.max), or absent for a random seed")
        }
        let variations = r.variations ?? 1
        guard (1...16).contains(variations) else { throw .field("variations", value: "\(variations)", allowed: "within 1...16") }
        let category = r.category ?? d.category
        guard let settings = categories[category] else {
            throw .unknownCategory(category, known: categories.keys.sorted())
        }
        if settings.adult {
            // One rule for adult content (attestation, nsfw_allowed models): ContentPolicy.checkRouting.
            let decisions = entry.candidates.map {
                ContentPolicy.checkRouting(isAdultCategory: true, modelAllowsNSFW: $0.nsfwAllowed,
                                           attestation: configuration.effectiveAttestation)
            }
            if !decisions.contains(where: \.isAllowed), let refusal = decisions.first?.refusal {
                throw ValidationError(adultRouting: refusal, model: entry.name, category: category,
                                      attestationConfigured: configuration.effectiveAttestation != nil)
            }
        }
        if let p = r.priority, !(-1000...1000).contains(p) {
            throw .field("priority", value: "\(p)", allowed: "within -1000...1000")
        }
        let deadline = r.deadlineSeconds ?? configuration.jobs.deadlineSeconds
        guard deadline.isFinite, deadline > 0, deadline <= 86_400 else {
            throw .field("deadline", value: "\(deadline) s", allowed: "more than 0 and at most 86400 seconds")
        }
        return ValidatedRequest(
            model: entry, prompt: prompt, negativePrompt: r.negativePrompt.flatMap { $0.isEmpty ? nil : $0 },
            parameters: GenerationParameters(width: width, height: height, steps: steps, guidanceScale: guidance,
                                             seed: r.seed.map { UInt32($0) } ?? UInt32.random(in: 0...UInt32.max)),
            category: category, adult: settings.adult, variations: variations,
            // Every image is tagged from its prompt, the caller's tags normalised like template tags.
            tags: AutoTagger.standard.tags(for: prompt, category: category, templateTags: r.tags ?? []),
            priority: r.priority ?? 0, deadlineSeconds: deadline, extra: extra)
    }

    /// A `vary` or `upscale`: a model that can, a source image, and a strength or scale in range.
    /// What they are is recorded in `extra`, which the job keeps durably.
    func checkDerived(_ r: GenerationRequest, kind: GenerationKind, entry: ModelTable.Entry,
                      extra: inout [String: String]) throws(ValidationError) {
        guard entry.candidates.contains(where: { $0.capabilities.contains(kind.capability) }) else {
            let capable = models.sortedEntries.filter { $0.candidates.contains { $0.capabilities.contains(kind.capability) } }
            throw .capabilityMissing(model: entry.name, kind: kind, capable: capable.map(\.name))
        }
        guard let parent = extra["parent_id"], !parent.isEmpty else {
            throw .field("parent_id", value: "none", allowed: "\(kind.rawValue) needs the id of a stored image")
        }
        extra["kind"] = kind.rawValue
        switch kind {
        case .vary:
            let strength = r.strength ?? 0.55
            guard strength.isFinite, (0...1).contains(strength) else {
                throw .field("strength", value: "\(strength)", allowed: "within 0...1 (0 keeps the image, 1 ignores it)")
            }
            extra["strength"] = String(strength)
        case .upscale:
            let scale = r.scale ?? 2
            guard (2...4).contains(scale) else { throw .field("scale", value: "\(scale)", allowed: "2, 3 or 4") }
            extra["scale"] = String(scale)
        case .generate:
            break
        }
    }
}
