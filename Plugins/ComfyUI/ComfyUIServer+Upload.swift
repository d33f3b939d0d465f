import Foundation
import PluginKit

/// `POST /upload/image`: the input image of a `vary` goes into ComfyUI's input folder, where
/// a LoadImage node reads it by name.
extension ComfyUIServer {
    /// The subfolder of ComfyUI's input folder the host's uploads go to.
    static let uploadSubfolder = "imagegen"

    /// The LoadImage value for the input of the prompt `promptID`: one name per job, so the
    /// same job always means the same file (a reconcile can patch it in without uploading, and
    /// a job queued again after a ComfyUI restart still finds its input on disk).
    static func inputName(promptID: String, mime: String) -> String {
        "\(uploadSubfolder)/\(promptID).\(mime == "image/jpeg" ? "jpg" : (mime == "image/webp" ? "webp" : "png"))"
    }

    /// Uploads `bytes` as `name` (overwriting: it is this job's own file). A failure of any kind
    /// is `.provider`: an upload queues nothing, so nothing can run twice.
    func upload(_ bytes: [UInt8], mime: String, as name: String) throws(ProviderError) {
        let file = String(name.split(separator: "/").last ?? Substring(name))
        var form = MultipartFormData()
        form.append("image", filename: file, mime: mime, data: bytes)
        form.append("type", "input")
        form.append("subfolder", Self.uploadSubfolder)
        form.append("overwrite", "true")
        let purpose = "upload the input image (\(bytes.count) bytes) as \(name)"
        do throws(ProviderError) {
            let response = try client.send("POST", "/upload/image", intent: .read, purpose: purpose,
                                           headers: authHeaders + [("Content-Type", form.contentType)], body: form.body,
                                           authenticated: false)
            try client.check(response, intent: .read, purpose: purpose)
            let value = try client.json(response, intent: .read, purpose: purpose)
            let stored = [value["subfolder"]?.string, value["name"]?.string].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "/")
            guard stored == name else {
                throw ProviderError(.provider, "ComfyUI stored the input image as \(stored) instead of \(name); nothing was queued")
            }
        } catch {
            guard error.status == .timeout else { throw error }
            throw ProviderError(.provider, error.message + "; nothing was queued")
        }
    }
}
