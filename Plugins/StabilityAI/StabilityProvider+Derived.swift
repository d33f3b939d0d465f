import PluginKit

/// `vary` and `upscale` on Stability's v2beta API: the input image travels as the multipart
/// file `image`. Image-to-image (sd3 `mode=image-to-image`, Ultra) takes `strength` and no
/// `aspect_ratio` (the input's shape decides); the fast upscaler takes only the image.
extension StabilityProvider {
    func derivedForm(_ r: GenerationRequest, route: StabilityRoute) throws(ProviderError) -> MultipartFormData {
        guard let input = r.inputImage, let bytes = input.bytes else {
            throw ProviderError(.invalidRequest, "Stability AI: a \(r.kind.rawValue) request needs input_image (base64)")
        }
        var form = MultipartFormData()
        let filename = input.mime == "image/jpeg" ? "input.jpg" : input.mime == "image/webp" ? "input.webp" : "input.png"
        switch (r.kind, route) {
        case (.upscale, .fastUpscale):
            if let scale = r.scale, scale != 4 {
                throw ProviderError(.invalidRequest, "Stability's fast upscaler always enlarges 4x; ask for scale 4 "
                                    + "(`imagegen images upscale ID --model stable-fast-upscale --scale 4`)")
            }
            guard (32...1536).contains(input.width), (32...1536).contains(input.height) else {
                throw ProviderError(.invalidRequest, "Stability's fast upscaler takes images of 32 to 1536 px a side; "
                                    + "this one is \(input.width)x\(input.height)")
            }
            form.append("image", filename: filename, mime: input.mime, data: bytes)
            form.append("output_format", outputFormat)
        case (.vary, .sd3), (.vary, .ultra):
            form.append("prompt", r.prompt)
            form.append("image", filename: filename, mime: input.mime, data: bytes)
            form.append("strength", String(min(max(r.strength ?? 0.55, 0), 1)))
            if let negative = r.negativePrompt, !negative.isEmpty { form.append("negative_prompt", negative) }
            if let seed = r.seed { form.append("seed", String(min(seed, 4_294_967_294))) }
            form.append("output_format", outputFormat)
            if case .sd3(let model) = route {
                form.append("model", model)
                form.append("mode", "image-to-image")
                if let g = r.guidanceScale { form.append("cfg_scale", String(min(max(g, 1), 10))) }
            }
            if let style = r.options["style_preset"]?.string { form.append("style_preset", style) }
        default:
            throw ProviderError(.unsupported, "Stability's \(r.model) cannot \(r.kind.rawValue); "
                                + "use sd3.5-* or stable-image-ultra to vary and stable-fast-upscale to upscale")
        }
        return form
    }
}
