import PluginKit

/// The input object fal's FLUX endpoints take, built from the host's neutral request.
///
/// `enable_safety_checker` is always true: fal's acceptable-use policy forbids indecent
/// content, this plugin declares `nsfw_allowed: false`, and no config key turns the checker off.
/// FLUX has no negative prompt, so one given is dropped (and logged by the caller), as is a
/// guidance scale for a model without one.
struct FalInput {
    var body: [String: JSONValue]
    var dropped: [String]

    init(_ r: GenerationRequest, outputFormat: String) {
        var o: [String: JSONValue] = [
            "prompt": .string(r.prompt),
            "image_size": ["width": .number(Double(r.width)), "height": .number(Double(r.height))],
            "num_images": .number(Double(min(max(r.numOutputs, 1), 4))),
            "enable_safety_checker": true,
            "output_format": .string(outputFormat),
        ]
        let profile = Self.profile(model: r.model)
        if let steps = r.steps { o["num_inference_steps"] = .number(Double(min(max(steps, 1), profile.maxSteps))) }
        var dropped: [String] = []
        if let g = r.guidanceScale {
            if profile.guidance { o["guidance_scale"] = .number(min(max(g, 1), 20)) } else { dropped.append("guidance_scale") }
        }
        if let seed = r.seed { o["seed"] = .number(Double(seed)) }
        // Model options from the description or the config pass through, except the checker.
        for (k, v) in r.options where k != "enable_safety_checker" { o[k] = v }
        body = o
        if !(r.negativePrompt?.isEmpty ?? true) { dropped.append("negative_prompt") }
        self.dropped = dropped
    }

    /// The documented ranges of fal's FLUX.1 endpoints: [schnell] runs 1…12 steps and has no
    /// guidance input; [dev] runs 1…50 steps with guidance 1…20.
    static func profile(model: String) -> (maxSteps: Int, guidance: Bool) {
        model.hasSuffix("/schnell") ? (12, false) : (50, true)
    }
}
