import Foundation
import PluginKit

/// Automatic1111's Stable Diffusion WebUI, and SD-WebUI Forge (same `/sdapi/v1` API), run
/// with `--api` (and `--api-auth user:pass` for HTTP Basic auth).
///
/// `POST /sdapi/v1/txt2img` is synchronous: the HTTP call blocks until the images exist and
/// they come back only in its answer. So `submit` makes that call (with a timeout cut to the
/// job's deadline) and returns the finished job, images inside the reference; `poll` and
/// `fetch` read the reference. While the call blocks, a watcher reads `/sdapi/v1/progress`.
/// If the answer never comes (deadline, dropped connection), the run is looked up by its
/// `force_task_id` in the WebUI's task registry and interrupted (`/sdapi/v1/interrupt`) when
/// it is ours and still running, so an abandoned job does not hold the GPU.
///
/// No `imagegen.reconcile/1`: after a host crash the WebUI cannot give the images of a
/// finished run back (they were only in the lost answer) and its task registry is in memory
/// and short (the last 16 finished ids), so "not there" would not prove "never ran".
///
/// Config (`providers.a1111`): `base_url` (http://127.0.0.1:7860), `secret_name`
/// (A1111_API_AUTH: base64 of `user:pass`, optional), `sampler_name`, `scheduler`,
/// `gpu_usd_per_hour` (0), `generation_timeout_ms` (600000, when the job has no deadline),
/// `progress_interval_ms` (2000; 0 turns the watcher off), `timeout_ms` (30000, other calls).
public struct A1111Provider: ImageProvider {
    public static let description = PluginDescription(
        id: "a1111", name: "Automatic1111 / Forge (local)", version: "1.0.0",
        // A local server has no vendor terms: the studio's own policy and the model licences decide.
        nsfwAllowed: true,
        secrets: [], optionalSecrets: ["A1111_API_AUTH"],
        models: [
            // "default": whatever checkpoint the WebUI has loaded; other provider models name a
            // checkpoint title, loaded for the request and restored afterwards.
            .init(name: "a1111-sd", providerModel: "default", price: .perImage(0),
                  capabilities: ["text-to-image", "image-to-image", "upscale"],
                  limits: ["min_size": 64, "max_size": 2048, "max_outputs": 4]),
        ])

    let client: ProviderClient
    let host: HostServices
    let settings: A1111Payload.Settings
    let usdPerGPUSecond: Double
    let generationTimeout: Int
    let progressInterval: Int
    /// `providers.a1111.upscaler`: the WebUI upscaler `images upscale` uses (a model option
    /// `upscaler` overrides it).
    let upscaler: String

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {
        let c = ProviderConfig(config, pluginID: "a1111")
        client = ProviderClient(
            host: host, provider: "A1111",
            baseURL: try c.baseURL(default: "http://127.0.0.1:7860") ?? "http://127.0.0.1:7860",
            auth: .init(header: "Authorization", scheme: "Basic",
                        secretName: try c.string("secret_name", default: "A1111_API_AUTH") ?? "A1111_API_AUTH"),
            timeoutMilliseconds: try c.int("timeout_ms", default: 30_000, range: 1_000...600_000) ?? 30_000,
            describeError: A1111Payload.describeError)
        self.host = host
        settings = A1111Payload.Settings(samplerName: try c.string("sampler_name"), scheduler: try c.string("scheduler"))
        upscaler = try c.string("upscaler", default: "R-ESRGAN 4x+") ?? "R-ESRGAN 4x+"
        let rate = c.values["gpu_usd_per_hour"]
        guard rate == nil || rate!.isNull || (rate!.number.map { $0 >= 0 } ?? false) else {
            throw ProviderError(.invalidRequest, "providers.a1111.gpu_usd_per_hour must be a number ≥ 0")
        }
        usdPerGPUSecond = (rate?.number ?? 0) / 3600
        generationTimeout = try c.int("generation_timeout_ms", default: 600_000, range: 1_000...86_400_000) ?? 600_000
        progressInterval = try c.int("progress_interval_ms", default: 2_000, range: 0...60_000) ?? 2_000
    }

    /// Basic auth only when the secret is set: a WebUI started without `--api-auth` wants none.
    var authHeaders: [(String, String)] { host.hasSecret(client.auth.secretName) ? [client.authHeader] : [] }

    func send(_ method: String, _ path: String, intent: ProviderClient.Intent, purpose: String, json: JSONValue? = nil,
              timeoutMilliseconds: Int? = nil) throws(ProviderError) -> HostServices.HTTPResponse {
        var headers = authHeaders
        if json != nil { headers.append(("Content-Type", "application/json")) }
        let response = try client.send(method, path, intent: intent, purpose: purpose, headers: headers,
                                       body: json.map { [UInt8]($0.encoded()) }, authenticated: false,
                                       timeoutMilliseconds: timeoutMilliseconds)
        guard (200...299).contains(response.status) else {
            var e = client.error(for: response, intent: intent, purpose: purpose)
            switch response.status {
            case 401, 403:
                e.message = "A1111 answered HTTP \(response.status) to the request to \(purpose): the WebUI runs with --api-auth. "
                    + (host.hasSecret(client.auth.secretName)
                       ? "Check that \(client.auth.secretName) holds the base64 of its user:pass (printf 'user:pass' | base64)"
                       : "Set \(client.auth.secretName) to the base64 of its user:pass (printf 'user:pass' | base64)")
            case 404 where path.hasPrefix("/sdapi/"):
                e.message += ". Start the WebUI with --api (its API routes are off without it)"
            default:
                break
            }
            throw e
        }
        return response
    }

    // MARK: submit

    public func submit(_ r: GenerationRequest) throws(ProviderError) -> PollResult {
        let started = host.nowMilliseconds()
        let timeout: Int
        if let deadline = r.deadlineMs {
            guard deadline > started else {
                throw ProviderError(.timeout, "A1111: the job's deadline passed before it was sent; nothing was sent")
            }
            timeout = Int(min(Int64(generationTimeout), deadline - started))
        } else {
            timeout = generationTimeout
        }
        let taskID = "task(imagegen-\(r.jobID))"
        let checkpoint = r.model == "default" || r.model.isEmpty ? nil : r.model
        if r.kind == .upscale { return try upscale(r, timeout: timeout, started: started) }
        let body: JSONValue, path: String, purpose: String
        if r.kind == .vary {
            guard let image = r.inputImage else { throw ProviderError(.invalidRequest, "A1111: a vary request needs input_image") }
            body = A1111Payload.img2img(r, image: image, taskID: taskID, checkpoint: checkpoint, settings: settings)
            (path, purpose) = ("/sdapi/v1/img2img", "vary (img2img)")
        } else {
            body = A1111Payload.txt2img(r, taskID: taskID, checkpoint: checkpoint, settings: settings)
            (path, purpose) = ("/sdapi/v1/txt2img", "generate (txt2img)")
        }

        let watcher = progressInterval > 0
            ? A1111ProgressWatcher(intervalMilliseconds: progressInterval) { [self] in readProgress(job: r.jobID) } : nil
        let response: HostServices.HTTPResponse
        do {
            response = try send("POST", path, intent: .create, purpose: purpose, json: body, timeoutMilliseconds: timeout)
        } catch where error.status == .timeout {
            let progress = watcher?.stop()
            return try settleLostAnswer(taskID: taskID, job: r.jobID, error: error, progress: progress)
        } catch {
            _ = watcher?.stop()
            throw error
        }
        _ = watcher?.stop()
        let gpuSeconds = Double(max(0, host.nowMilliseconds() - started)) / 1000
        let value = try client.json(response, intent: .create, purpose: purpose)
        let ref = images(value, taskID: taskID, gpuSeconds: gpuSeconds)
        host.log(.info, "job \(r.jobID): A1111 \(purpose) → \(ref.state.rawValue), \(ref.images.count) image(s) in "
                 + String(format: "%.1f s", gpuSeconds))
        return result(ref)
    }

    /// `POST /sdapi/v1/extra-single-image`: synchronous like txt2img, one image back. It has no
    /// task id, so a lost answer cannot be looked up: the outcome is unknown (TIMEOUT).
    func upscale(_ r: GenerationRequest, timeout: Int, started: Int64) throws(ProviderError) -> PollResult {
        guard let image = r.inputImage else { throw ProviderError(.invalidRequest, "A1111: an upscale request needs input_image") }
        let purpose = "upscale (extra-single-image)"
        let response = try send("POST", "/sdapi/v1/extra-single-image", intent: .create, purpose: purpose,
                                json: A1111Payload.upscale(r, image: image, upscaler: upscaler), timeoutMilliseconds: timeout)
        let gpuSeconds = Double(max(0, host.nowMilliseconds() - started)) / 1000
        let value = try client.json(response, intent: .create, purpose: purpose)
        let single: JSONValue = value["image"].map { ["images": .array([$0])] } ?? [:]
        let ref = images(single, taskID: "extras(imagegen-\(r.jobID))", gpuSeconds: gpuSeconds)
        host.log(.info, "job \(r.jobID): A1111 \(purpose) → \(ref.state.rawValue)")
        return result(ref)
    }

    /// The answer's images, each checked whole; `info` (a JSON string) gives the seed used.
    func images(_ value: JSONValue, taskID: String, gpuSeconds: Double) -> A1111JobRef {
        guard let list = value["images"]?.array?.compactMap(\.string), !list.isEmpty else {
            return A1111JobRef(taskID: taskID, state: .failed, gpuSeconds: gpuSeconds,
                               error: ProviderError(.provider, "A1111 answered txt2img without images (was send_images turned off by a script?)"))
        }
        for (i, b64) in list.enumerated() {
            guard let data = Data(base64Encoded: b64) else {
                return A1111JobRef(taskID: taskID, state: .failed, gpuSeconds: gpuSeconds,
                                   error: ProviderError(.provider, "image \(i) from A1111 is not valid base64"))
            }
            do {
                _ = try EncodedImage.validated([UInt8](data), what: "image \(i) from A1111")
            } catch {
                return A1111JobRef(taskID: taskID, state: .failed, gpuSeconds: gpuSeconds, error: error)
            }
        }
        let info = value["info"]?.string.flatMap { JSONValue.parse(Array($0.utf8)) }
        let seed = info?["seed"]?.number.flatMap { UInt32(exactly: $0) }
        return A1111JobRef(taskID: taskID, state: .succeeded, images: list, seed: seed, gpuSeconds: gpuSeconds)
    }

    /// No complete answer came. Ask the task registry what became of the run: still running →
    /// interrupt it (nobody will ever receive its images) and fail the job; finished → the
    /// images were in the lost answer: fail it. Queued or unknown → the outcome stays unknown.
    func settleLostAnswer(taskID: String, job: String, error: ProviderError, progress: Double?) throws(ProviderError) -> PollResult {
        let at = progress.map { String(format: " at %.0f%%", $0 * 100) } ?? ""
        guard let task = try? send("POST", "/internal/progress", intent: .read, purpose: "read the state of \(taskID)",  // try?: no answer here keeps the outcome unknown (the error thrown)
                                   json: ["id_task": .string(taskID), "id_live_preview": -1]).json else { throw error }
        if task["active"]?.bool == true {
            do {
                _ = try send("POST", "/sdapi/v1/interrupt", intent: .cancel, purpose: "interrupt \(taskID)")
                host.log(.warning, "job \(job): no answer from A1111 in time; its run was interrupted\(at)")
            } catch {
                host.log(.warning, "job \(job): no answer from A1111 in time, and interrupting its run failed (\(error.message)); "
                         + "it may still finish on the server, unused")
            }
            return result(A1111JobRef(taskID: taskID, state: .failed, error: ProviderError(.timeout,
                "A1111 did not answer before the job's deadline (\(error.message)); the run was interrupted\(at), nothing is kept")))
        }
        if task["completed"]?.bool == true {
            return result(A1111JobRef(taskID: taskID, state: .failed, error: ProviderError(.provider,
                "A1111 finished the run but its answer was lost (\(error.message)); the WebUI keeps no copy the API can return")))
        }
        if task["queued"]?.bool == true {
            host.log(.warning, "job \(job): A1111 still has the run queued behind other work; it will run, but its answer is lost")
        }
        throw error
    }

    func readProgress(job: String) -> Double? {
        guard let v = try? send("GET", "/sdapi/v1/progress?skip_current_image=true", intent: .read, purpose: "read progress").json,  // try?: progress is advisory, shown only in the debug log
              let p = v["progress"]?.number else { return nil }
        let step = v["state"]?["sampling_step"]?.int, steps = v["state"]?["sampling_steps"]?.int
        host.log(.debug, "job \(job): A1111 " + String(format: "%.0f%%", p * 100)
                 + (step.flatMap { s in steps.map { " (step \(s)/\($0))" } } ?? "")
                 + (v["eta_relative"]?.number.map { String(format: ", eta %.1f s", $0) } ?? ""))
        return p
    }

    func result(_ ref: A1111JobRef) -> PollResult {
        let cost: Double? = usdPerGPUSecond == 0 ? 0 : ref.gpuSeconds.map { $0 * usdPerGPUSecond }
        return PollResult(state: ref.state, ref: ref.json, progress: ref.state == .succeeded ? 1 : nil,
                          outputs: ref.state == .succeeded ? ref.images.indices.map { PollResult.Output(index: $0, mime: "image/png") } : [],
                          costUSD: cost, providerTimeSeconds: ref.gpuSeconds, seed: ref.seed, error: ref.error)
    }

    // MARK: poll, fetch, cancel

    public func poll(_ refValue: JSONValue) throws(ProviderError) -> PollResult {
        result(try A1111JobRef(refValue))
    }

    public func fetch(_ refValue: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        let ref = try A1111JobRef(refValue)
        guard ref.state == .succeeded, ref.images.indices.contains(index), let data = Data(base64Encoded: ref.images[index]) else {
            throw ProviderError(.invalidRequest, "A1111: the job has no output \(index)")
        }
        return [UInt8](data)
    }

    /// Nothing to stop: a reference exists only once the run is over (see settleLostAnswer for
    /// the interrupt of a run whose answer is lost).
    public func cancel(_ refValue: JSONValue) throws(ProviderError) {
        _ = try A1111JobRef(refValue)
    }
}

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(A1111Provider.self, host: host)
}
