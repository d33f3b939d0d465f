import Foundation
import PluginKit

/// The input image of a `vary` or `upscale` request, where a Replicate model can read it.
///
/// Replicate takes files in `input` as HTTP URLs or `data:` URLs and recommends data URLs only
/// up to 256 KB; a larger image is uploaded first through the files API (`POST /v1/files`,
/// multipart `content`) and the file's `urls.get` goes into the input. The file's metadata
/// carries the host's job id, so an operator can tell which job uploaded it.
extension ReplicateProvider {
    static let dataURLLimit = 256 * 1024

    /// Nil for a plain generation; otherwise the location to put in the model's image field.
    func inputImageLocation(_ r: GenerationRequest, model: ReplicateModelID,
                            schema: ReplicateInputSchema) throws(ProviderError) -> String? {
        guard r.kind != .generate else { return nil }
        guard ReplicateInput.imageField(schema) != nil else {
            throw ProviderError(.unsupported, "Replicate: \(model.slug) has no image input, so it cannot \(r.kind.rawValue) an image; "
                                + "use flux-dev to vary and real-esrgan to upscale")
        }
        guard r.kind == .vary || schema.has("scale") || r.scale == nil || r.scale == 4 else {
            throw ProviderError(.unsupported, "Replicate: \(model.slug) has no scale input; it upscales 4x only")
        }
        guard let image = r.inputImage, let bytes = image.bytes, !bytes.isEmpty else {
            throw ProviderError(.invalidRequest, "Replicate: a \(r.kind.rawValue) request needs input_image with base64 image bytes")
        }
        if bytes.count <= Self.dataURLLimit { return "data:\(image.mime);base64,\(image.dataBase64)" }
        return try upload(bytes, mime: image.mime, jobID: r.jobID)
    }

    /// Uploads `bytes` and returns the file's URL. An upload creates nothing billable, so a
    /// failure of any kind is reported as `.provider` (nothing was created that costs money;
    /// the host may try again), never as the unknown outcome a lost prediction create is.
    func upload(_ bytes: [UInt8], mime: String, jobID: String) throws(ProviderError) -> String {
        let ext = mime == "image/jpeg" ? "jpg" : (mime == "image/webp" ? "webp" : "png")
        var form = MultipartFormData()
        form.append("content", filename: "imagegen-input.\(ext)", mime: mime, data: bytes)
        form.append("filename", "imagegen-input.\(ext)")
        form.append("type", mime)
        form.append("metadata", String(decoding: JSONValue.object(["imagegen_job": .string(jobID)]).encoded(), as: UTF8.self))
        let purpose = "upload the input image (\(bytes.count) bytes) to Replicate's files API"
        do throws(ProviderError) {
            let response = try client.send("POST", "/files", intent: .read, purpose: purpose,
                                           headers: [("Content-Type", form.contentType)], body: form.body)
            guard (200...299).contains(response.status) else { throw refusal(response, intent: .read, purpose: purpose) }
            let value = try client.json(response, intent: .read, purpose: purpose)
            guard let url = value["urls"]?["get"]?.string, url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw ProviderError(.provider, "Replicate's answer to the request to \(purpose) has no urls.get")
            }
            host.log(.info, "job \(jobID): input image uploaded to Replicate as file \(value["id"]?.string ?? "?")")
            return url
        } catch {
            guard error.status == .timeout else { throw error }
            throw ProviderError(.provider, error.message + "; no prediction was created")
        }
    }
}
