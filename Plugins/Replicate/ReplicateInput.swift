import Foundation
import PluginKit

/// Builds a prediction's `input` object from the host's neutral request, in the names and
/// ranges of one model's schema. What the model cannot take is listed in `dropped` so the
/// plugin can say so in the log instead of silently changing the request.
struct ReplicateInput {
    var input: [String: JSONValue] = [:]
    var dropped: [String] = []
    var adjusted: [String] = []

    /// - Parameter image: where the model reads the input image of a `vary` or `upscale`
    ///   request (a `data:` URL or an uploaded file's URL), already resolved by the provider.
    init(request: GenerationRequest, schema: ReplicateInputSchema, image: String? = nil) {
        if request.kind == .upscale {
            upscale(request, schema: schema, image: image)
            return
        }
        input["prompt"] = .string(request.prompt)
        if request.kind == .vary, let image, let field = Self.imageField(schema) {
            input[field] = .string(image)
            if let strength = request.strength {
                if schema.has("prompt_strength") {
                    input["prompt_strength"] = .number(clamp(strength, schema["prompt_strength"], name: "prompt_strength"))
                } else {
                    dropped.append("strength")
                }
            }
        }

        if let negative = request.negativePrompt, !negative.isEmpty {
            if schema.has("negative_prompt") { input["negative_prompt"] = .string(negative) } else { dropped.append("negative_prompt") }
        }

        // Size: explicit dimensions, an enum of "WxH" strings, or an aspect ratio.
        if schema.has("width"), schema.has("height") {
            input["width"] = .number(Double(dimension(request.width, schema["width"], name: "width")))
            input["height"] = .number(Double(dimension(request.height, schema["height"], name: "height")))
        } else if let choices = schema["image_dimensions"]?.enumValues?.compactMap(\.string), !choices.isEmpty {
            let pick = Self.nearestDimensions(width: request.width, height: request.height, choices: choices)
            input["image_dimensions"] = .string(pick)
            if pick != "\(request.width)x\(request.height)" { adjusted.append("image_dimensions \(pick)") }
        } else if schema.has("aspect_ratio") {
            let choices = schema["aspect_ratio"]?.enumValues?.compactMap(\.string) ?? ["1:1"]
            let pick = Self.nearestRatio(width: request.width, height: request.height, choices: choices)
            input["aspect_ratio"] = .string(pick)
        } else {
            dropped.append("width/height")
        }

        if schema.has("num_outputs") {
            input["num_outputs"] = .number(Double(request.numOutputs))
        } else if request.numOutputs > 1 {
            dropped.append("num_outputs (the model makes one image per prediction)")
        }
        if let steps = request.steps {
            if let name = ["num_inference_steps", "steps"].first(where: schema.has) {
                input[name] = .number(clamp(Double(steps), schema[name], name: name).rounded())
            } else {
                dropped.append("steps")
            }
        }
        if let guidance = request.guidanceScale {
            if let name = ["guidance_scale", "guidance"].first(where: schema.has) {
                input[name] = .number(clamp(guidance, schema[name], name: name))
            } else {
                dropped.append("guidance_scale")
            }
        }
        if schema.has("seed") { input["seed"] = .number(Double(request.seed ?? Self.seed(forJob: request.jobID))) }
        // Only where the operator's policy allows adult content does the checker go off.
        if request.allowNSFW, schema.has("disable_safety_checker") { input["disable_safety_checker"] = true }
        if let formats = schema["output_format"]?.enumValues, formats.contains("png") { input["output_format"] = "png" }

        // Model-specific extras the caller passed through (e.g. "scheduler"), if the model has them.
        for (key, value) in request.options where schema.has(key) && input[key] == nil && key != "disable_safety_checker" {
            input[key] = value
        }
    }

    /// An upscaler's input (Real-ESRGAN: `image`, `scale`, `face_enhance`): no prompt, no size.
    private mutating func upscale(_ request: GenerationRequest, schema: ReplicateInputSchema, image: String?) {
        if let image, let field = Self.imageField(schema) { input[field] = .string(image) }
        if let scale = request.scale {
            if schema.has("scale") { input["scale"] = .number(clamp(scale, schema["scale"], name: "scale")) } else { dropped.append("scale") }
        }
        for (key, value) in request.options where schema.has(key) && input[key] == nil { input[key] = value }
    }

    /// The model's input-image field, by the names Replicate's image models use.
    static func imageField(_ schema: ReplicateInputSchema) -> String? {
        ["image", "input_image", "init_image"].first(where: schema.has)
    }

    /// The seed sent when the host asked for none: derived from the host's job id (FNV-1a), so
    /// it is as good as random across jobs yet the same for one job. That makes a prediction's
    /// input tell which host job made it, which is how `reconcile` finds it again: Replicate
    /// takes no client-chosen id.
    static func seed(forJob jobID: String) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in jobID.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h & 0x7fff_ffff
    }

    private mutating func dimension(_ value: Int, _ property: ReplicateInputSchema.Property?, name: String) -> Int {
        if let choices = property?.enumValues?.compactMap(\.int), !choices.isEmpty {
            let pick = choices.min { abs($0 - value) < abs($1 - value) } ?? value
            if pick != value { adjusted.append("\(name) \(value)→\(pick)") }
            return pick
        }
        // Diffusion models work in multiples of 8 (Realistic Vision floors to them anyway).
        var v = max(8, value - value % 8)
        if let max = property?.maximum, Double(v) > max { v = Int(max) - Int(max) % 8 }
        if v != value { adjusted.append("\(name) \(value)→\(v)") }
        return v
    }

    private mutating func clamp(_ value: Double, _ property: ReplicateInputSchema.Property?, name: String) -> Double {
        var v = value
        if let lo = property?.minimum { v = max(v, lo) }
        if let hi = property?.maximum { v = min(v, hi) }
        if v != value { adjusted.append("\(name) \(value)→\(v)") }
        return v
    }

    /// The "WxH" choice closest in aspect ratio, then in area.
    static func nearestDimensions(width: Int, height: Int, choices: [String]) -> String {
        func parse(_ s: String) -> (Double, Double)? {
            let p = s.lowercased().split(separator: "x").compactMap { Double($0) }
            return p.count == 2 && p[0] > 0 && p[1] > 0 ? (p[0], p[1]) : nil
        }
        let target = log(Double(width) / Double(height))
        let area = Double(width * height)
        return choices.min { a, b in
            guard let pa = parse(a) else { return false }
            guard let pb = parse(b) else { return true }
            let ra = abs(log(pa.0 / pa.1) - target), rb = abs(log(pb.0 / pb.1) - target)
            if abs(ra - rb) > 1e-9 { return ra < rb }
            return abs(pa.0 * pa.1 - area) < abs(pb.0 * pb.1 - area)
        } ?? choices[0]
    }

    /// The "W:H" choice closest to the requested ratio (on a log scale, so 2:1 and 1:2 are
    /// equally far from 1:1).
    static func nearestRatio(width: Int, height: Int, choices: [String]) -> String {
        let target = log(Double(width) / Double(height))
        func distance(_ s: String) -> Double {
            let p = s.split(separator: ":").compactMap { Double($0) }
            guard p.count == 2, p[0] > 0, p[1] > 0 else { return .infinity }
            return abs(log(p[0] / p[1]) - target)
        }
        return choices.min { distance($0) < distance($1) } ?? "1:1"
    }
}
