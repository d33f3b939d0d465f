import PluginKit

/// `vary` through `POST /v1/images/edits`: multipart/form-data with the source as the file
/// `image` and the generation's fields as text parts. The edits endpoint documents no
/// `moderation` and no strength: moderation stays OpenAI's default, and the strength is
/// approximated by `input_fidelity` (high below 0.5: stay close to the input; low otherwise).
extension OpenAIImagesProvider {
    func editForm(_ r: GenerationRequest, fields: [String: JSONValue]) throws(ProviderError) -> MultipartFormData {
        guard let input = r.inputImage, let bytes = input.bytes else {
            throw ProviderError(.invalidRequest, "OpenAI: a vary request needs input_image (base64)")
        }
        guard ["image/png", "image/jpeg", "image/webp"].contains(input.mime) else {
            throw ProviderError(.invalidRequest, "OpenAI edits take PNG, JPEG or WebP; the source is \(input.mime)")
        }
        var form = MultipartFormData()
        for key in ["model", "prompt", "size", "quality", "output_format", "background", "output_compression"] {
            guard let value = fields[key] else { continue }
            form.append(key, value.string ?? value.number.map { String(Int($0)) } ?? "")
        }
        form.append("n", String(min(max(r.numOutputs, 1), 4)))
        form.append("input_fidelity", (r.strength ?? 0.55) < 0.5 ? "high" : "low")
        let ext = input.mime == "image/jpeg" ? "jpg" : String(input.mime.dropFirst("image/".count))
        form.append("image", filename: "input.\(ext)", mime: input.mime, data: bytes)
        return form
    }
}
