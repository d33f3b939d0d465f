import Foundation
import ImagegenCore
import Pipeline
import Templates

/// What one image from a template is expected to cost: what the queue will reserve for it.
package enum TemplateCostEstimate: Sendable, Equatable {
    /// The expected cost in USD (what `GenerationService.enqueue` reserves: the highest known
    /// price among the candidates that may take the job).
    case priced(Double)
    /// The model's primary candidate has no price: nothing can be reserved.
    case unpriced(model: String)
}

extension GenerationService {
    /// The expected cost of one image of `template` (on `model`, or the template's model), priced
    /// exactly as `enqueue(template:)` prices it, without queuing anything.
    package func expectedCost(template name: String, model: String?, templates: TemplateStore) throws -> TemplateCostEstimate {
        let library = try templates.library()
        guard let template = library.template(named: name) else {
            throw TemplateRequestError.unknownTemplate(name, known: library.templates.map(\.name).sorted())
        }
        // Prices depend on the model and the size, never on the seed or the placeholder values.
        let first = try VariationExpander().expand(template, variations: 1, baseSeed: 0, arms: nil, profile: nil)[0]
        let v = try validator().validate(GenerationRequest(
            model: model ?? first.model, prompt: first.prompt,
            negativePrompt: first.negativePrompt.isEmpty ? nil : first.negativePrompt,
            width: first.parameters.width, height: first.parameters.height, steps: first.parameters.steps,
            guidanceScale: first.parameters.guidanceScale, seed: 0, category: template.category, variations: 1))
        let usable = v.model.candidates.filter { !v.adult || $0.nsfwAllowed }
        let costs = usable.map { $0.price?.expectedCost(width: v.parameters.width, height: v.parameters.height, outputs: 1) }
        guard let primary = costs.first, primary != nil else { return .unpriced(model: v.model.name) }
        return .priced(costs.compactMap { $0 }.max() ?? 0)
    }
}
