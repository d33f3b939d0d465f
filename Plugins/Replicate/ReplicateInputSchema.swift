import PluginKit

/// The input fields a Replicate model accepts, with their enums and ranges.
///
/// Every model names its inputs its own way (`width`/`height` or `image_dimensions` or
/// `aspect_ratio`; `guidance_scale` or `guidance`; `num_inference_steps` or `steps`), and the
/// same Stable Diffusion version is described both ways in public sources. So the plugin reads
/// the version's own OpenAPI schema (`openapi_schema.components.schemas.Input`) when it can,
/// and falls back to the profiles below, written from the models' Cog sources.
struct ReplicateInputSchema: Sendable, Equatable {
    struct Property: Sendable, Equatable {
        var enumValues: [JSONValue]? = nil
        var minimum: Double? = nil
        var maximum: Double? = nil
    }

    var properties: [String: Property]
    /// Where it came from, for logs: "schema of version …" or "built-in profile".
    var origin: String

    func has(_ name: String) -> Bool { properties[name] != nil }
    subscript(name: String) -> Property? { properties[name] }

    /// Reads `components.schemas.Input` from a version's `openapi_schema`. Cog puts enums in
    /// sibling schemas referenced through `allOf: [{"$ref": ...}]`, so one level of `$ref` is
    /// resolved.
    static func parse(openAPISchema: JSONValue, origin: String) -> ReplicateInputSchema? {
        let schemas = openAPISchema["components"]?["schemas"]
        guard let input = schemas?["Input"]?["properties"]?.object, !input.isEmpty else { return nil }
        func resolve(_ v: JSONValue) -> JSONValue {
            var merged = v.object ?? [:]
            for item in v["allOf"]?.array ?? [] {
                if let ref = item["$ref"]?.string, let name = ref.split(separator: "/").last,
                   let target = schemas?[String(name)]?.object {
                    merged.merge(target) { own, _ in own }
                }
            }
            return .object(merged)
        }
        var props: [String: Property] = [:]
        for (name, raw) in input {
            let p = resolve(raw)
            props[name] = Property(enumValues: p["enum"]?.array, minimum: p["minimum"]?.number, maximum: p["maximum"]?.number)
        }
        return ReplicateInputSchema(properties: props, origin: origin)
    }

    /// Built-in profiles by `owner/name`, from the models' Cog predictors.
    static func builtIn(for model: ReplicateModelID) -> ReplicateInputSchema {
        let p = Property()
        func range(_ lo: Double, _ hi: Double) -> Property { Property(minimum: lo, maximum: hi) }
        func choices(_ values: [String]) -> Property { Property(enumValues: values.map { .string($0) }) }
        let ratios = ["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21"]
        let props: [String: Property]
        switch model.slug {
        case "stability-ai/stable-diffusion":
            props = ["prompt": p, "negative_prompt": p, "image_dimensions": choices(["512x512", "768x768"]),
                     "num_outputs": range(1, 4), "num_inference_steps": range(1, 500), "guidance_scale": range(1, 20),
                     "scheduler": p, "seed": p]
        case "stability-ai/sdxl":
            props = ["prompt": p, "negative_prompt": p, "width": p, "height": p, "num_outputs": range(1, 4),
                     "num_inference_steps": range(1, 500), "guidance_scale": range(1, 50), "scheduler": p, "seed": p,
                     "refine": p, "apply_watermark": p, "disable_safety_checker": p, "image": p,
                     "prompt_strength": range(0, 1)]
        case let slug where slug.hasPrefix("lucataco/realistic-vision"):
            props = ["prompt": p, "negative_prompt": p, "width": range(0, 1920), "height": range(0, 1920),
                     "steps": range(0, 100), "guidance": p, "scheduler": p, "seed": p]
        case "black-forest-labs/flux-schnell":
            props = ["prompt": p, "aspect_ratio": choices(ratios), "num_outputs": range(1, 4),
                     "num_inference_steps": range(1, 4), "seed": p, "output_format": choices(["webp", "jpg", "png"]),
                     "output_quality": range(0, 100), "disable_safety_checker": p, "go_fast": p, "megapixels": p]
        case "black-forest-labs/flux-dev":
            props = ["prompt": p, "aspect_ratio": choices(ratios), "num_outputs": range(1, 4),
                     "num_inference_steps": range(1, 50), "guidance": range(0, 10), "seed": p,
                     "output_format": choices(["webp", "jpg", "png"]), "output_quality": range(0, 100),
                     "disable_safety_checker": p, "go_fast": p, "megapixels": p, "image": p, "prompt_strength": range(0, 1)]
        case "nightmareai/real-esrgan":
            props = ["image": p, "scale": range(0, 10), "face_enhance": p]
        default:
            props = ["prompt": p, "negative_prompt": p, "width": p, "height": p, "num_outputs": p,
                     "num_inference_steps": p, "guidance_scale": p, "seed": p]
        }
        return ReplicateInputSchema(properties: props, origin: "built-in profile for \(model.slug)")
    }
}
