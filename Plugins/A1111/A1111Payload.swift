import PluginKit

/// The `StableDiffusionTxt2ImgProcessingAPI` body for a neutral request.
enum A1111Payload {
    struct Settings: Sendable {
        var samplerName: String?
        var scheduler: String?
    }

    /// - Parameter checkpoint: the model title to load for this request, or nil to keep the
    ///   WebUI's current one. It is restored afterwards, so other users of the WebUI are not
    ///   left on a different model.
    static func txt2img(_ r: GenerationRequest, taskID: String, checkpoint: String?, settings: Settings) -> JSONValue {
        var o: [String: JSONValue] = [
            "prompt": .string(r.prompt),
            "negative_prompt": .string(r.negativePrompt ?? ""),
            // -1 is the WebUI's "random".
            "seed": .number(r.seed.map(Double.init) ?? -1),
            "width": .number(Double(r.width)), "height": .number(Double(r.height)),
            "batch_size": .number(Double(max(1, r.numOutputs))), "n_iter": 1,
            "send_images": true, "save_images": false,
            // Names the run in the WebUI's task registry (/internal/progress), so a deadline
            // interrupt can check the run is ours before stopping the GPU.
            "force_task_id": .string(taskID),
        ]
        if let steps = r.steps { o["steps"] = .number(Double(steps)) }
        if let cfg = r.guidanceScale { o["cfg_scale"] = .number(cfg) }
        if let sampler = r.options["sampler_name"]?.string ?? settings.samplerName { o["sampler_name"] = .string(sampler) }
        if let scheduler = r.options["scheduler"]?.string ?? settings.scheduler { o["scheduler"] = .string(scheduler) }
        if let checkpoint {
            o["override_settings"] = ["sd_model_checkpoint": .string(checkpoint)]
            o["override_settings_restore_afterwards"] = true
        }
        return .object(o)
    }

    /// `StableDiffusionImg2ImgProcessingAPI`: the txt2img body plus the source image and how
    /// far to move from it (`denoising_strength`).
    static func img2img(_ r: GenerationRequest, image: InputImage, taskID: String, checkpoint: String?, settings: Settings) -> JSONValue {
        guard case .object(var o) = txt2img(r, taskID: taskID, checkpoint: checkpoint, settings: settings) else { return .null }
        o["init_images"] = [.string(image.dataBase64)]
        o["denoising_strength"] = .number(r.strength ?? 0.55)
        // The output keeps the source's size (the host sends it as width/height).
        o["resize_mode"] = 0
        return .object(o)
    }

    /// `ExtrasSingleImageRequest`: the WebUI's upscalers (no diffusion, no prompt).
    static func upscale(_ r: GenerationRequest, image: InputImage, upscaler: String) -> JSONValue {
        [
            "image": .string(image.dataBase64),
            "resize_mode": 0,
            "upscaling_resize": .number(r.scale ?? Double(r.width) / Double(max(1, image.width))),
            "upscaler_1": .string(r.options["upscaler"]?.string ?? upscaler),
            "show_extras_results": true,
        ]
    }

    /// A1111's 422 body (FastAPI): `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`;
    /// its 500 body (`api_middleware`): `{"error", "detail", "body", "errors"}`.
    static func describeError(_ r: HostServices.HTTPResponse) -> String? {
        guard let j = r.json else { return r.text.isEmpty ? nil : r.text }
        if let list = j["detail"]?.array {
            return list.map { d in
                let loc = (d["loc"]?.array ?? []).map { $0.string ?? $0.int.map(String.init) ?? "?" }.joined(separator: ".")
                return "\(loc): \(d["msg"]?.string ?? "invalid")"
            }.joined(separator: "; ")
        }
        let parts = [j["error"]?.string, j["errors"]?.string, j["detail"]?.string].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? r.text : parts.joined(separator: ": ")
    }
}
