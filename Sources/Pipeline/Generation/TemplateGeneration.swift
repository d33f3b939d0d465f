import Foundation
import Catalog
import ImagegenCore
import Templates

/// A generation from a template: `imagegen generate --template NAME`, the library's
/// `generate(category:template:variations:)`, and the plans' slots.
public struct TemplateRequest: Sendable {
    /// A template name; or nil to take the first template of `category`.
    public var template: String?
    public var category: String?
    public var variations: Int
    public var model: String?
    public var seed: UInt64?
    public var profile: String?
    public var priority: Int?
    public var deadlineSeconds: Double?

    public init(template: String? = nil, category: String? = nil, variations: Int = 1, model: String? = nil,
                seed: UInt64? = nil, profile: String? = nil, priority: Int? = nil, deadlineSeconds: Double? = nil) {
        self.template = template
        self.category = category
        self.variations = variations
        self.model = model
        self.seed = seed
        self.profile = profile
        self.priority = priority
        self.deadlineSeconds = deadlineSeconds
    }
}

/// Why a template request could not be turned into jobs.
public enum TemplateRequestError: Error, Sendable, CustomStringConvertible {
    case unknownTemplate(String, known: [String])
    case emptyCategory(String, known: [String])
    case noTemplateOrCategory
    case unknownProfile(String, known: [String])
    case invalidProfile(String, String)

    public var description: String {
        switch self {
        case .unknownTemplate(let t, let known):
            return "template \"\(t)\" does not exist (or its file has errors: run `imagegen templates check`). Known: \(known.joined(separator: ", "))"
        case .emptyCategory(let c, let known):
            return "category \"\(c)\" has no template. Categories with templates: \(known.joined(separator: ", "))"
        case .noTemplateOrCategory:
            return "give a template name (--template) or a category"
        case .unknownProfile(let p, let known):
            return "profile \"\(p)\" is not in the config (profiles). Known: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case .invalidProfile(let p, let why):
            return "profile \"\(p)\" in the config is invalid: \(why)"
        }
    }
}

extension GenerationService {
    /// The preference profiles declared in config (`profiles: [ { name, placeholders, parameters } ]`),
    /// with learned weights from the catalog where there are some.
    public func profile(named name: String) throws -> PreferenceProfile {
        let declared = (runtime.configuration.sections["profiles"]?.array ?? [])
        let names = declared.compactMap { $0["name"]?.string }
        guard let value = declared.first(where: { $0["name"]?.string == name }) else {
            throw TemplateRequestError.unknownProfile(name, known: names)
        }
        let configured: PreferenceProfile
        do {
            configured = try JSONDecoder().decode(PreferenceProfile.self, from: value.encoded())
        } catch {
            throw TemplateRequestError.invalidProfile(name, "\(error)")
        }
        if let learned = try profiles?.storedProfile(name) { return learned }
        return configured
    }

    /// Expands a template into variations (seeds, placeholder values, experiment arms, profile)
    /// and queues one job per variation, each carrying its provenance.
    public func enqueue(template request: TemplateRequest, templates: TemplateStore, allowPartial: Bool = false,
                        idempotencyKey: String? = nil) throws -> [Job] {
        let library = try templates.library()
        let template: PromptTemplate
        if let name = request.template {
            guard let t = library.template(named: name) else {
                throw TemplateRequestError.unknownTemplate(name, known: library.templates.map(\.name).sorted())
            }
            template = t
        } else if let category = request.category {
            guard let t = library.templates(inCategory: category).first else {
                throw TemplateRequestError.emptyCategory(category, known: library.categories.map(\.name).sorted())
            }
            template = t
        } else {
            throw TemplateRequestError.noTemplateOrCategory
        }
        let profile = try request.profile.map { try self.profile(named: $0) }
        var arms: [String]?
        if template.experiment != nil, let experiments {
            let data = try experiments.experimentData(template: template.name)
            var state = try ExperimentState(template: template, assignments: data.assignments, outcomes: data.outcomes)
            var random = SystemRandomNumberGenerator()
            arms = ArmAssigner().assign(request.variations, in: &state, using: &random).map(\.arm)
        }
        let variations = try VariationExpander().expand(template, variations: request.variations,
                                                        baseSeed: request.seed ?? UInt64.random(in: 0...UInt64(UInt32.max)),
                                                        arms: arms, profile: profile)
        // Hard blocks first, ahead of the validator's attestation and model checks.
        try screenHardBlocks(variations.map { ($0.prompt, $0.negativePrompt.isEmpty ? nil : $0.negativePrompt) },
                             isAdult: template.adult, model: request.model ?? variations.first?.model,
                             category: template.category, template: template.name)
        let tagger = AutoTagger.standard
        let first = variations[0]
        let validated = try runtime.security.auditingRefusals(model: request.model ?? first.model, category: template.category) { try validator().validate(GenerationRequest(
            model: request.model ?? first.model, prompt: first.prompt,
            negativePrompt: first.negativePrompt.isEmpty ? nil : first.negativePrompt,
            width: first.parameters.width, height: first.parameters.height, steps: first.parameters.steps,
            guidanceScale: first.parameters.guidanceScale, seed: Int64(first.seed), category: template.category,
            variations: variations.count, priority: request.priority, deadlineSeconds: request.deadlineSeconds)) }
        let variants = variations.map { v -> JobVariant in
            var extra = ["template": v.templateName, "template_version": v.templateVersion.description]
            if let arm = v.arm { extra["arm"] = arm }
            if let p = v.profile { extra["profile"] = p }
            if !v.placeholderValues.isEmpty,
               // try?: a [String: String] always serialises; the placeholders only feed learning from ratings
               let json = try? JSONSerialization.data(withJSONObject: v.placeholderValues, options: [.sortedKeys]) {
                extra["placeholders"] = String(decoding: json, as: UTF8.self)
            }
            return JobVariant(prompt: v.prompt, negativePrompt: v.negativePrompt.isEmpty ? nil : v.negativePrompt, seed: v.seed,
                              tags: tagger.tags(for: v.prompt, category: v.category, templateTags: template.tags), extra: extra)
        }
        return try enqueue(validated, allowPartial: allowPartial, variants: variants, idempotencyKey: idempotencyKey)
    }
}
