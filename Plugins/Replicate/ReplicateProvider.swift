import Foundation
import PluginKit
import Synchronization

/// Replicate (https://replicate.com): the predictions API.
///
/// Versioned models are created with `POST /predictions {version, input}`, official models with
/// `POST /models/{owner}/{name}/predictions {input}`. With `prefer_wait` set, the create asks
/// Replicate to hold the answer up to N seconds (`Prefer: wait=N`); whatever is not finished by
/// then is polled through `urls.get`. Outputs are downloaded when the host fetches them, right
/// after the prediction succeeds (they expire an hour after the run).
///
/// Config (`providers.replicate`): `base_url` (default https://api.replicate.com/v1; `/v1` is added when missing),
/// `secret_name` (default REPLICATE_API_TOKEN), `prefer_wait` (1…60 s, off by default),
/// `poll_interval_ms` (1000), `timeout_ms` (30000), `discover_inputs` (true: read each
/// version's input schema once), `reconcile_settle_ms` (2000) and `reconcile_window_s` (3600):
/// see `reconcile`.
public struct ReplicateProvider: ReconcilingProvider {
    public static let description = PluginDescription(
        id: "replicate", name: "Replicate", version: "1.0.0", nsfwAllowed: true,
        secrets: ["REPLICATE_API_TOKEN"],
        models: [
            .init(name: "stable-diffusion-v2",
                  providerModel: "stability-ai/stable-diffusion:db21e45d3f7023abc2a46ee38a23973f6dce16bb082a930b0c49861f96d1e5bf",
                  price: .perImage(0.05), limits: ["min_size": 64, "max_size": 1024, "max_outputs": 4]),
            .init(name: "realistic-vision-v2",
                  providerModel: "lucataco/realistic-vision-v5:a4a8bafd6089e1716b06057c42b19378250d008b80fe87caac5f36b5b8c8c3e5",
                  price: .perImage(0.08), limits: ["min_size": 64, "max_size": 1536, "max_outputs": 1]),
            // Official models, billed per output image (replicate.com pricing: $3 and $25 per 1000).
            .init(name: "flux-schnell", providerModel: "black-forest-labs/flux-schnell",
                  price: .perImage(0.003), limits: ["min_size": 256, "max_size": 1536, "max_outputs": 4]),
            .init(name: "flux-dev", providerModel: "black-forest-labs/flux-dev",
                  price: .perImage(0.025), capabilities: ["text-to-image", "image-to-image"],
                  limits: ["min_size": 256, "max_size": 1536, "max_outputs": 4]),
            // Upscaling only (time-billed on a T4: a few seconds per image; the estimate is generous).
            .init(name: "real-esrgan",
                  providerModel: "nightmareai/real-esrgan:42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b",
                  price: .perImage(0.005), capabilities: ["upscale"],
                  limits: ["min_size": 64, "max_size": 8192, "max_outputs": 1]),
        ])

    let client: ProviderClient
    let host: HostServices
    let preferWait: Int?
    let pollInterval: Int
    let discoverInputs: Bool
    let settleMilliseconds: Int
    let reconcileWindowSeconds: Int
    let schemas = SchemaCache()

    /// Input schemas already read, per model reference, for the life of the instance.
    final class SchemaCache: Sendable {
        let entries = Mutex<[String: ReplicateInputSchema]>([:])
    }

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {
        let c = ProviderConfig(config, pluginID: "replicate")
        let timeout = try c.int("timeout_ms", default: 30_000, range: 1_000...600_000) ?? 30_000
        client = ProviderClient(
            host: host, provider: "Replicate",
            baseURL: ReplicateProvider.apiRoot(try c.baseURL(default: "https://api.replicate.com/v1") ?? "https://api.replicate.com/v1"),
            auth: .init(header: "Authorization", scheme: "Bearer",
                        secretName: try c.string("secret_name", default: "REPLICATE_API_TOKEN") ?? "REPLICATE_API_TOKEN"),
            timeoutMilliseconds: timeout, describeError: ReplicateProvider.describeError)
        self.host = host
        preferWait = try c.int("prefer_wait", default: nil, range: 1...60)
        pollInterval = try c.int("poll_interval_ms", default: 1_000, range: 10...60_000) ?? 1_000
        discoverInputs = try c.bool("discover_inputs", default: true)
        settleMilliseconds = try c.int("reconcile_settle_ms", default: 2_000, range: 0...60_000) ?? 2_000
        reconcileWindowSeconds = try c.int("reconcile_window_s", default: 3_600, range: 60...86_400) ?? 3_600
    }

    /// The API root with its version: `https://api.replicate.com` and `https://api.replicate.com/v1`
    /// (with or without a trailing slash) both mean `…/v1`. Without this, a base URL written without
    /// `/v1` made every request a 404 (issue 16).
    static func apiRoot(_ baseURL: String) -> String {
        var root = baseURL
        while root.hasSuffix("/") { root.removeLast() }
        return root.hasSuffix("/v1") ? root : root + "/v1"
    }

    /// Replicate's problem-details body: `{"title": ..., "detail": ..., "status": ...}`.
    static func describeError(_ r: HostServices.HTTPResponse) -> String? {
        guard let j = r.json else { return r.text.isEmpty ? nil : r.text }
        let title = j["title"]?.string, detail = j["detail"]?.string
        switch (title, detail) {
        case let (t?, d?): return "\(t): \(d)"
        case let (t?, nil): return t
        case let (nil, d?): return d
        default: return r.text
        }
    }

    // MARK: submit

    public func submit(_ request: GenerationRequest) throws(ProviderError) -> PollResult {
        try client.requireKey()
        let model = try ReplicateModelID(parsing: request.model)
        let schema = inputSchema(for: model)
        let image = try inputImageLocation(request, model: model, schema: schema)
        let built = ReplicateInput(request: request, schema: schema, image: image)
        if !built.dropped.isEmpty {
            host.log(.warning, "\(model.slug) has no input for \(built.dropped.joined(separator: ", ")); job \(request.jobID) goes without it")
        }
        if !built.adjusted.isEmpty {
            host.log(.info, "\(model.slug): adjusted to the model's ranges: \(built.adjusted.joined(separator: ", ")) (job \(request.jobID))")
        }

        var body: [String: JSONValue] = ["input": .object(built.input)]
        let path: String
        if let version = model.version {
            body["version"] = .string(version)
            path = "/predictions"
        } else {
            path = "/models/\(model.owner)/\(model.name)/predictions"
        }
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        var timeout = client.timeoutMilliseconds
        if let wait = preferWait {
            headers.append(("Prefer", "wait=\(wait)"))
            timeout = max(timeout, wait * 1000 + 5_000)
        }
        let now = host.nowMilliseconds()
        if let deadline = request.deadlineMs {
            // Replicate stops the run itself at the deadline, even if this host is gone by then.
            let seconds = max(5, Int((Double(deadline - now) / 1000).rounded(.up)))
            headers.append(("Cancel-After", "\(seconds)s"))
        }

        let purpose = "create a prediction for \(model.slug)"
        let response = try client.send("POST", path, intent: .create, purpose: purpose, headers: headers,
                                       body: [UInt8](JSONValue.object(body).encoded()), timeoutMilliseconds: timeout)
        guard (200...299).contains(response.status) else { throw refusal(response, intent: .create, purpose: purpose) }
        let value = try client.json(response, intent: .create, purpose: purpose)
        let prediction: ReplicatePrediction
        do {
            prediction = try ReplicatePrediction(value)
        } catch {
            throw ProviderError(.timeout, "Replicate accepted the request to \(purpose) but its answer has no prediction id; "
                                + "the prediction may exist, so it is not sent again automatically")
        }
        let ref = ReplicateJobRef(id: prediction.id,
                                  getURL: prediction.getURL ?? client.url("/predictions/\(prediction.id)"),
                                  cancelURL: prediction.cancelURL ?? client.url("/predictions/\(prediction.id)/cancel"),
                                  deadlineMs: request.deadlineMs)
        host.log(.info, "job \(request.jobID): Replicate prediction \(prediction.id) \(prediction.status)")
        return prediction.pollResult(ref: ref, filesReady: preferWait != nil, now: now, pollInterval: pollInterval)
    }

    /// The classified error for a refused request, with Replicate's `retry_after` body field
    /// as the fallback for a 429 without the header.
    func refusal(_ response: HostServices.HTTPResponse, intent: ProviderClient.Intent, purpose: String) -> ProviderError {
        let bodyRetry = response.json?["retry_after"]?.number.map { Int(($0 * 1000).rounded(.up)) }
        return client.error(for: response, intent: intent, purpose: purpose, defaultRetryAfterMilliseconds: bodyRetry)
    }

    /// The model's input schema: read once from Replicate when allowed, else the built-in profile.
    func inputSchema(for model: ReplicateModelID) -> ReplicateInputSchema {
        let key = model.slug + ":" + (model.version ?? "")
        if let cached = schemas.entries.withLock({ $0[key] }) { return cached }
        var schema = ReplicateInputSchema.builtIn(for: model)
        if discoverInputs {
            let path = model.version.map { "/models/\(model.owner)/\(model.name)/versions/\($0)" }
                ?? "/models/\(model.owner)/\(model.name)"
            do {
                let r = try client.send("GET", path, intent: .read, purpose: "read the input schema of \(model.slug)")
                try client.check(r, intent: .read, purpose: "read the input schema of \(model.slug)")
                let version = model.version == nil ? r.json?["latest_version"] : r.json
                if let s = version?["openapi_schema"].flatMap({ ReplicateInputSchema.parse(openAPISchema: $0, origin: "schema of \(model.slug)") }) {
                    schema = s
                }
            } catch {
                host.log(.info, "could not read the input schema of \(model.slug) (\(error.message)); using the \(schema.origin)")
                return schema // not cached: the next job tries again
            }
        }
        schemas.entries.withLock { $0[key] = schema }
        return schema
    }

    // MARK: poll

    public func poll(_ refValue: JSONValue) throws(ProviderError) -> PollResult {
        let ref = try ReplicateJobRef(refValue)
        let purpose = "read prediction \(ref.id)"
        let response = try client.send("GET", ref.getURL, intent: .read, purpose: purpose)
        guard (200...299).contains(response.status) else { throw refusal(response, intent: .read, purpose: purpose) }
        let prediction = try ReplicatePrediction(try client.json(response, intent: .read, purpose: purpose))
        let now = host.nowMilliseconds()
        if !prediction.isTerminal, let deadline = ref.deadlineMs, now >= deadline {
            return expire(ref, status: prediction.status)
        }
        return prediction.pollResult(ref: ref, filesReady: false, now: now, pollInterval: pollInterval)
    }

    /// A prediction still running past the host's deadline: cancel it at Replicate (so it stops
    /// costing) and report a timeout, distinct from a failure of the model.
    func expire(_ ref: ReplicateJobRef, status: String) -> PollResult {
        var note = "cancelled at Replicate"
        do {
            try cancel(ref.json)
        } catch {
            note = "the cancel request failed (\(error.message))"
            host.log(.warning, "prediction \(ref.id): \(note)")
        }
        return PollResult(state: .failed, ref: ref.json,
                          error: ProviderError(.timeout, "Replicate prediction \(ref.id) was still \(status) at its deadline; \(note)"))
    }

    // MARK: fetch

    public func fetch(_ refValue: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        var ref = try ReplicateJobRef(refValue)
        if ref.outputs == nil {
            let result = try poll(refValue)
            guard result.state == .succeeded, let updated = result.ref else {
                throw ProviderError(.invalidRequest, "Replicate prediction \(ref.id) has no outputs to fetch (it is \(result.state.rawValue))")
            }
            ref = try ReplicateJobRef(updated)
        }
        let outputs = ref.outputs ?? []
        guard outputs.indices.contains(index) else {
            throw ProviderError(.invalidRequest, "Replicate prediction \(ref.id) has \(outputs.count) output(s); there is no output \(index)")
        }
        let what = "output \(index) of Replicate prediction \(ref.id)"
        let location = outputs[index]
        if location.hasPrefix("data:") {
            guard let decoded = DataURL.decode(location) else {
                throw ProviderError(.provider, "\(what) is a data: URL that is not valid base64")
            }
            _ = try EncodedImage.validated(decoded.bytes, what: what)
            return decoded.bytes
        }
        // The API asks for the token on output downloads; it only goes to Replicate's own hosts.
        let authenticated = client.isOwnHost(location) || Self.isReplicateDelivery(location)
        let response = try client.send("GET", location, intent: .read, purpose: "download \(what)", authenticated: authenticated)
        if response.status == 404 || response.status == 410 {
            throw ProviderError(.notFound, "\(what) has expired (HTTP \(response.status)): Replicate deletes API outputs an hour "
                                + "after the run; generate the image again")
        }
        try client.check(response, intent: .read, purpose: "download \(what)")
        _ = try EncodedImage.validated(response.body, what: what)
        return response.body
    }

    static func isReplicateDelivery(_ url: String) -> Bool {
        guard let host = URLComponents(string: url)?.host?.lowercased() else { return false }
        return host == "replicate.delivery" || host.hasSuffix(".replicate.delivery")
    }

    // MARK: cancel

    public func cancel(_ refValue: JSONValue) throws(ProviderError) {
        let ref = try ReplicateJobRef(refValue)
        let purpose = "cancel prediction \(ref.id)"
        let response = try client.send("POST", ref.cancelURL, intent: .cancel, purpose: purpose)
        if response.status == 404 {
            throw ProviderError(.notFound, "Replicate does not know prediction \(ref.id) (HTTP 404); nothing to cancel")
        }
        guard (200...299).contains(response.status) else { throw refusal(response, intent: .cancel, purpose: purpose) }
        host.log(.info, "prediction \(ref.id): cancel requested")
    }
}

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(ReplicateProvider.self, host: host)
}
