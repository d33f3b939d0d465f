import Foundation
import PluginKit

/// An API-format ComfyUI graph (File → Export (API)) and the patching of the host's
/// parameters into it.
///
/// Nodes are found by their title (`_meta.title`), not their id: ids change whenever a graph
/// is edited, titles are what the workflow's author sets on purpose. Each placeholder has one
/// title and the input names it writes (see `Placeholder`); every node with that title gets
/// the value, in whichever of those inputs it has (a KSampler has `seed`, a
/// KSamplerAdvanced `noise_seed`).
struct ComfyUIWorkflow: Sendable {
    var graph: [String: JSONValue]

    /// The placeholders, their node titles and the inputs they patch.
    enum Placeholder: String, CaseIterable {
        case prompt = "imagegen.prompt"
        case negative = "imagegen.negative"
        case sampler = "imagegen.sampler"
        case latent = "imagegen.latent"
        case checkpoint = "imagegen.checkpoint"
        case lora = "imagegen.lora"
        case output = "imagegen.output"
        /// A LoadImage node: the uploaded input image of a `vary` request.
        case inputImage = "imagegen.input_image"
        /// An UpscaleModelLoader: the upscale model's file (`upscale` only).
        case upscaleModel = "imagegen.upscale_model"
        /// An ImageScaleBy: from the upscale model's factor to the requested scale (`upscale` only).
        case scale = "imagegen.scale"
    }

    init(graph: [String: JSONValue]) { self.graph = graph }

    /// Parses an API-format file. The UI format (with "nodes" and "links") is refused with the
    /// way to export the right one.
    init(text: [UInt8], name: String) throws(ProviderError) {
        guard let value = JSONValue.parse(text), let o = value.object else {
            throw ProviderError(.invalidRequest, "ComfyUI: the workflow \(name) is not a JSON object")
        }
        if o["nodes"] != nil && o["links"] != nil {
            throw ProviderError(.invalidRequest, "ComfyUI: the workflow \(name) is in the UI format; export it with "
                                + "File → Export (API) and save that file instead")
        }
        for (id, node) in o where node["class_type"]?.string == nil {
            throw ProviderError(.invalidRequest, "ComfyUI: node \(id) of the workflow \(name) has no class_type (not an API-format graph)")
        }
        graph = o
    }

    /// The workflow `name`: `<folder>/<name>.json` when a folder is configured and has it, else
    /// the built-in default for its name.
    static func load(_ name: String, folder: String?) throws(ProviderError) -> ComfyUIWorkflow {
        if let folder {
            let path = folder + "/" + name + ".json"
            if let data = FileManager.default.contents(atPath: path) {
                return try ComfyUIWorkflow(text: [UInt8](data), name: path)
            }
        }
        if name == ComfyUIDefaultWorkflow.name {
            return try ComfyUIWorkflow(text: Array(ComfyUIDefaultWorkflow.text.utf8), name: "txt2img (built in)")
        }
        if name == ComfyUIImg2ImgWorkflow.name {
            return try ComfyUIWorkflow(text: Array(ComfyUIImg2ImgWorkflow.text.utf8), name: "img2img (built in)")
        }
        if name == ComfyUIUpscaleWorkflow.name {
            return try ComfyUIWorkflow(text: Array(ComfyUIUpscaleWorkflow.text.utf8), name: "upscale (built in)")
        }
        throw ProviderError(.invalidRequest, "ComfyUI: no workflow \"\(name)\"" + (folder.map { ": \($0)/\(name).json does not exist" }
                            ?? "; set providers.comfyui.workflows_dir to the folder of your API-format workflow files"))
    }

    func nodes(titled placeholder: Placeholder) -> [String] {
        graph.keys.filter { graph[$0]?["_meta"]?["title"]?.string?.lowercased() == placeholder.rawValue }.sorted(by: Self.nodeOrder)
    }

    /// Numeric ids in numeric order, others after them.
    static func nodeOrder(_ a: String, _ b: String) -> Bool {
        switch (Int(a), Int(b)) {
        case let (x?, y?): return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a < b
        }
    }

    /// Sets `value` on every node titled `placeholder` that has one of `inputs` (the first one
    /// it has). Returns how many nodes were patched.
    @discardableResult
    mutating func set(_ placeholder: Placeholder, _ inputs: [String], _ value: JSONValue) -> Int {
        var patched = 0
        for id in nodes(titled: placeholder) {
            guard var node = graph[id]?.object, var fields = node["inputs"]?.object,
                  let input = inputs.first(where: { fields[$0] != nil }) else { continue }
            fields[input] = value
            node["inputs"] = .object(fields)
            graph[id] = .object(node)
            patched += 1
        }
        return patched
    }

    /// Writes the request's parameters into the graph. A placeholder the request sets but the
    /// graph has no node for is an error when leaving it out would change the picture the user
    /// asked for (prompt, size, checkpoint, LoRA); seed, steps and cfg fall back to the graph's
    /// own values with a note in `notes`.
    /// - Parameter inputImage: the uploaded input's name as LoadImage takes it (`vary` only).
    mutating func apply(_ r: GenerationRequest, spec: ComfyUIModelSpec, defaults: ComfyUIDefaults,
                        inputImage: String? = nil) throws(ProviderError) -> [String] {
        var notes: [String] = []
        func require(_ p: Placeholder, _ what: String, _ n: Int) throws(ProviderError) {
            guard n > 0 else {
                throw ProviderError(.invalidRequest, "ComfyUI: the workflow \(spec.workflow) has no node titled \"\(p.rawValue)\" "
                                    + "to take the \(what); set that title on the right node in ComfyUI and export it again")
            }
        }
        if r.kind == .upscale {
            return try applyUpscale(r, spec: spec, defaults: defaults, inputImage: inputImage, require: require)
        }
        try require(.prompt, "prompt", set(.prompt, ["text", "text_g", "prompt"], .string(r.prompt)))
        if let negative = r.negativePrompt, !negative.isEmpty {
            if set(.negative, ["text", "text_g", "prompt"], .string(negative)) == 0 {
                notes.append("no imagegen.negative node: the negative prompt is not used")
            }
        }
        if let inputImage {
            // Image-to-image: the input decides the size; the strength is the sampler's denoise.
            try require(.inputImage, "input image", set(.inputImage, ["image"], .string(inputImage)))
            if set(.sampler, ["denoise"], .number(min(max(r.strength ?? 0.6, 0), 1))) == 0 {
                notes.append("no imagegen.sampler node with denoise: the strength is not used")
            }
            if set(.latent, ["batch_size"], .number(Double(max(1, r.numOutputs)))) == 0, r.numOutputs > 1 {
                notes.append("no imagegen.latent node with batch_size: one image is made")
            }
        } else {
            try require(.latent, "width and height", set(.latent, ["width"], .number(Double(r.width))))
            set(.latent, ["height"], .number(Double(r.height)))
            set(.latent, ["batch_size"], .number(Double(max(1, r.numOutputs))))
        }
        if let seed = r.seed, set(.sampler, ["seed", "noise_seed"], .number(Double(seed))) == 0 {
            notes.append("no imagegen.sampler node with a seed: the workflow's own seed is used")
        }
        if let steps = r.steps, set(.sampler, ["steps"], .number(Double(steps))) == 0 {
            notes.append("no imagegen.sampler node with steps: the workflow's own value is used")
        }
        if let cfg = r.guidanceScale, set(.sampler, ["cfg", "guidance"], .number(cfg)) == 0 {
            notes.append("no imagegen.sampler node with cfg: the workflow's own value is used")
        }
        if let sampler = defaults.samplerName { set(.sampler, ["sampler_name"], .string(sampler)) }
        if let scheduler = defaults.scheduler { set(.sampler, ["scheduler"], .string(scheduler)) }
        let checkpoint = spec.checkpoint ?? r.options["checkpoint"]?.string ?? defaults.checkpoint
        if let checkpoint {
            try require(.checkpoint, "checkpoint \(checkpoint)", set(.checkpoint, ["ckpt_name", "unet_name"], .string(checkpoint)))
        }
        let lora = spec.lora ?? r.options["lora"]?.string ?? defaults.lora
        if let lora {
            try require(.lora, "LoRA \(lora)", set(.lora, ["lora_name"], .string(lora)))
            let strength = spec.loraStrength ?? r.options["lora_strength"]?.number ?? defaults.loraStrength ?? 1.0
            set(.lora, ["strength_model"], .number(strength))
            set(.lora, ["strength_clip"], .number(strength))
        }
        return notes
    }

    /// The output nodes whose images are the job's outputs: those titled `imagegen.output`, or
    /// every node when none is (the history then lists what each node saved).
    var outputNodes: [String]? {
        let titled = nodes(titled: .output)
        return titled.isEmpty ? nil : titled
    }
}

/// Instance-wide defaults from the config, used when neither the model nor the request sets them.
struct ComfyUIDefaults: Sendable {
    var checkpoint: String?
    var lora: String?
    var loraStrength: Double?
    var samplerName: String?
    var scheduler: String?
    var upscaleModel: String = "RealESRGAN_x4plus.pth"
    /// The upscale model's own factor when the config sets it; else read from its name.
    var upscaleModelScale: Int?
}
