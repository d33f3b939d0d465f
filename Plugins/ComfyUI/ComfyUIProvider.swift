import Foundation
import PluginKit

/// ComfyUI (local, https://github.com/Comfy-Org/ComfyUI): API-format workflows patched with
/// the host's parameters and queued with `POST /prompt`.
///
/// The host's job id becomes the `prompt_id` (as a UUID, see `ComfyUIPromptID`), so the job
/// can always be found again by an id the host already has: after a lost answer to the submit,
/// after a host crash (`imagegen.reconcile/1`), and after ComfyUI itself restarted. ComfyUI does
/// NOT dedupe a repeated `prompt_id` (a second POST queues a second run), so the plugin never
/// sends a prompt without first knowing that the server has no job under that id.
///
/// `images vary` (model `comfyui-img2img`, or any workflow with a LoadImage titled
/// `imagegen.input_image`) uploads the input through `POST /upload/image` first; so does
/// `images upscale` (model `comfyui-upscale`: an UpscaleModelLoader titled `imagegen.upscale_model`).
///
/// Config (`providers.comfyui`): `base_url` (http://127.0.0.1:8188), `workflows_dir`,
/// `checkpoint`, `lora`, `lora_strength`, `sampler_name`, `scheduler` (defaults patched into
/// every workflow), `upscale_model` (RealESRGAN_x4plus.pth), `upscale_model_scale` (the
/// model's factor; default: from its name, else 4), `gpu_usd_per_hour` (cost = GPU-seconds × rate; 0 by default),
/// `max_resubmits` (2: times a vanished job is queued again), `reconcile_settle_ms` (1000),
/// `poll_interval_ms` (1000), `timeout_ms` (30000), `secret_name` (COMFYUI_AUTH, optional).
public struct ComfyUIProvider: ReconcilingProvider {
    public static let description = PluginDescription(
        id: "comfyui", name: "ComfyUI (local)", version: "1.0.0",
        // A local server has no vendor terms: the studio's own policy and the model licences decide.
        nsfwAllowed: true,
        secrets: [], optionalSecrets: ["COMFYUI_AUTH"],
        models: [
            // The estimate is 0: the real cost (GPU time × the configured rate) is reported per job.
            .init(name: "comfyui-txt2img", providerModel: ComfyUIDefaultWorkflow.name, price: .perImage(0),
                  limits: ["min_size": 64, "max_size": 2048, "max_outputs": 4]),
            // `images vary`: the uploaded input through the img2img workflow (a LoadImage titled imagegen.input_image).
            .init(name: "comfyui-img2img", providerModel: ComfyUIImg2ImgWorkflow.name, price: .perImage(0),
                  capabilities: ["image-to-image"], limits: ["min_size": 64, "max_size": 2048, "max_outputs": 4]),
            // `images upscale`: the uploaded input through an upscale model (no diffusion, no prompt).
            .init(name: "comfyui-upscale", providerModel: ComfyUIUpscaleWorkflow.name, price: .perImage(0),
                  capabilities: ["upscale"], limits: ["min_size": 16, "max_size": 8192, "max_outputs": 1]),
        ])

    let server: ComfyUIServer
    let host: HostServices
    let workflowsDir: String?
    let defaults: ComfyUIDefaults
    let usdPerGPUSecond: Double
    let maxResubmits: Int
    let settleMilliseconds: Int
    let pollInterval: Int

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {
        let c = ProviderConfig(config, pluginID: "comfyui")
        let client = ProviderClient(
            host: host, provider: "ComfyUI",
            baseURL: try c.baseURL(default: "http://127.0.0.1:8188") ?? "http://127.0.0.1:8188",
            auth: .init(header: "Authorization", scheme: nil,
                        secretName: try c.string("secret_name", default: "COMFYUI_AUTH") ?? "COMFYUI_AUTH"),
            timeoutMilliseconds: try c.int("timeout_ms", default: 30_000, range: 1_000...600_000) ?? 30_000,
            describeError: ComfyUIProvider.describeError)
        server = ComfyUIServer(client: client, clientID: try c.string("client_id", default: "imagegen") ?? "imagegen")
        self.host = host
        workflowsDir = try c.string("workflows_dir")
        defaults = ComfyUIDefaults(checkpoint: try c.string("checkpoint"), lora: try c.string("lora"),
                                   loraStrength: try c.number("lora_strength", range: -10...10),
                                   samplerName: try c.string("sampler_name"), scheduler: try c.string("scheduler"),
                                   upscaleModel: try c.string("upscale_model", default: "RealESRGAN_x4plus.pth") ?? "RealESRGAN_x4plus.pth",
                                   upscaleModelScale: try c.int("upscale_model_scale", default: nil, range: 1...16))
        usdPerGPUSecond = (try c.number("gpu_usd_per_hour", range: 0...10_000) ?? 0) / 3600
        maxResubmits = try c.int("max_resubmits", default: 2, range: 0...10) ?? 2
        settleMilliseconds = try c.int("reconcile_settle_ms", default: 1_000, range: 0...60_000) ?? 1_000
        pollInterval = try c.int("poll_interval_ms", default: 1_000, range: 10...60_000) ?? 1_000
        if let dir = workflowsDir {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw ProviderError(.invalidRequest, "providers.comfyui.workflows_dir: \(dir) is not a folder")
            }
        }
    }

    /// ComfyUI's error bodies: `{"error": {...} | "text", "node_errors": {...}}`.
    static func describeError(_ r: HostServices.HTTPResponse) -> String? {
        guard let j = r.json else { return r.text.isEmpty ? nil : r.text }
        if let text = j["error"]?.string { return text }
        return ComfyUIServer.validationMessage(j)
    }

    /// The patched graph for a request. A `vary` or `upscale` reads its input from the file
    /// `ComfyUIServer.inputName` (uploaded by submit; reconcile only names it).
    func workflow(for r: GenerationRequest) throws(ProviderError) -> ComfyUIWorkflow {
        let spec = try ComfyUIModelSpec(parsing: r.model)
        var inputName: String?
        switch r.kind {
        case .generate: break
        case .vary, .upscale:
            guard let image = r.inputImage else {
                throw ProviderError(.invalidRequest, "ComfyUI: a \(r.kind.rawValue) request needs input_image")
            }
            inputName = ComfyUIServer.inputName(promptID: ComfyUIPromptID.forJob(r.jobID), mime: image.mime)
        }
        var workflow = try ComfyUIWorkflow.load(spec.workflow, folder: workflowsDir)
        for note in try workflow.apply(r, spec: spec, defaults: defaults, inputImage: inputName) {
            host.log(.info, "job \(r.jobID): workflow \(spec.workflow): \(note)")
        }
        return workflow
    }

    // MARK: submit

    public func submit(_ r: GenerationRequest) throws(ProviderError) -> PollResult {
        let workflow = try workflow(for: r)
        if let deadline = r.deadlineMs, deadline <= host.nowMilliseconds() {
            throw ProviderError(.timeout, "ComfyUI: the job's deadline passed before it was sent; nothing was sent")
        }
        var ref = ComfyUIJobRef(promptID: ComfyUIPromptID.forJob(r.jobID), workflow: workflow)
        if r.kind != .generate, let image = r.inputImage {
            guard let bytes = image.bytes, !bytes.isEmpty else {
                throw ProviderError(.invalidRequest, "ComfyUI: the \(r.kind.rawValue) request's input_image is not valid base64")
            }
            try server.upload(bytes, mime: image.mime, as: ComfyUIServer.inputName(promptID: ref.promptID, mime: image.mime))
        }
        do {
            let queued = try server.queue(workflow.graph, promptID: ref.promptID)
            if queued.promptID != ref.promptID {
                // A server too old to take a client prompt_id: track its id (reconcile cannot find such jobs).
                host.log(.warning, "job \(r.jobID): ComfyUI ignored the prompt_id it was given and chose \(queued.promptID); "
                         + "update ComfyUI so that jobs can be found again after a crash")
                ref.promptID = queued.promptID
            }
            if let errors = queued.nodeErrors {
                host.log(.warning, "job \(r.jobID): ComfyUI queued the prompt with node errors: "
                         + ComfyUIServer.validationMessage(["node_errors": errors]))
            }
        } catch where error.status == .timeout {
            // The answer was lost, but the id is ours: ask the server instead of leaving the outcome unknown.
            guard let found = try? server.lookup(ref.promptID) else { throw error }  // try?: a failed lookup keeps the outcome unknown (the error thrown)
            host.log(.info, "job \(r.jobID): the answer to the submit was lost, but ComfyUI has prompt \(ref.promptID): tracking it")
            return result(found, ref: ref)
        }
        host.log(.info, "job \(r.jobID): queued at ComfyUI as prompt \(ref.promptID)")
        return PollResult(state: .queued, ref: ref.json, progress: 0, nextPollMilliseconds: pollInterval)
    }

    // MARK: reconcile

    /// The job for `r.jobID` if ComfyUI has it. Absent, it is looked for once more after
    /// `reconcile_settle_ms`: a POST that the crashed host had sent may still be in ComfyUI's
    /// validation; after that wait it would be in the queue.
    public func reconcile(_ r: GenerationRequest) throws(ProviderError) -> PollResult? {
        let workflow = try workflow(for: r)
        let ref = ComfyUIJobRef(promptID: ComfyUIPromptID.forJob(r.jobID), workflow: workflow)
        if let found = try server.lookup(ref.promptID) { return result(found, ref: ref) }
        if settleMilliseconds > 0 { usleep(useconds_t(settleMilliseconds) * 1000) }
        if let found = try server.lookup(ref.promptID) { return result(found, ref: ref) }
        host.log(.info, "job \(r.jobID): ComfyUI has no prompt \(ref.promptID); it can be submitted")
        return nil
    }
}

extension ProviderConfig {
    /// A number within `range`, or nil when absent.
    func number(_ name: String, range: ClosedRange<Double>) throws(ProviderError) -> Double? {
        guard let v = values[name], !v.isNull else { return nil }
        guard let n = v.number, range.contains(n) else {
            throw ProviderError(.invalidRequest, "providers.\(pluginID).\(name) must be a number within "
                                + "\(range.lowerBound)...\(range.upperBound), got \(String(decoding: v.encoded(), as: UTF8.self).prefix(80))")
        }
        return n
    }
}
