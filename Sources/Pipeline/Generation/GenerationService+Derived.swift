import Foundation
import Catalog
import ImagegenCore

extension GenerationService {
    /// Queues a `vary` or `upscale` of a stored image: the same prompt, category and tags (so
    /// the content policy and quotas judge it like any request), the source as `parent_id`, so
    /// the result is the image's next version. `model` defaults to the source's model; the
    /// validator refuses one that cannot, naming the models that can.
    public func enqueueDerived(from imageID: String, kind: GenerationKind, model: String? = nil, strength: Double? = nil,
                               scale: Int? = nil, idempotencyKey: String? = nil) throws -> [Job] {
        // The prompt must really open: never vary from an "[encrypted]" placeholder.
        let stored = try (catalog as? any PromptRevealingImageStore)?.image(revealingPrompts: imageID) ?? catalog.image(imageID)
        guard let source = stored else { throw DerivedImageError.unknownImage(imageID) }
        var extra = source.extra
        for key in GenerationKind.extraKeys { extra[key] = nil }
        extra["parent_id"] = source.imageID
        let factor = kind == .upscale ? (scale ?? 2) : 1
        let request = GenerationRequest(
            model: model ?? source.model, prompt: source.prompt, negativePrompt: source.negativePrompt,
            width: source.parameters.width * factor, height: source.parameters.height * factor,
            steps: source.parameters.steps, guidanceScale: source.parameters.guidanceScale,
            seed: source.parameters.seed.map(Int64.init), category: source.category, tags: source.tags, extra: extra,
            kind: kind, strength: strength, scale: kind == .upscale ? factor : nil)
        return try enqueue(request, idempotencyKey: idempotencyKey)
    }
}
