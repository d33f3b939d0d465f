import Foundation
import PluginKit

/// fal.ai (https://fal.ai) through its durable queue API.
///
/// `submit` puts the request in the queue (`POST {queue}/{model_id}`) and keeps the request id
/// and the status, response and cancel URLs fal returns. `poll` reads the status
/// (`IN_QUEUE` → `IN_PROGRESS` → `COMPLETED`) and, once completed, the result, whose image URLs
/// go into the reference; `fetch` downloads them (from fal's CDN, without the key). fal never
/// drops a queued request and retries runner failures itself, so a submitted job is only ever
/// polled, never sent again.
///
/// Content: fal's acceptable-use policy forbids "indecent" content, its safety checker is
/// always on here, and the plugin declares `nsfw_allowed: false`, so the host never routes an
/// adult category to it. Images the checker flagged (`has_nsfw_concepts`) are dropped; a
/// request whose every image was flagged, or whose input fal refused
/// (`content_policy_violation`), ends as content filtered.
///
/// Price: fal bills per output (per image or per megapixel) and never for server errors; it
/// reports no cost, so the host prices each stored output with the model's rule.
///
/// Config (`providers.fal`): `base_url` (https://queue.fal.run), `secret_name` (FAL_KEY),
/// `poll_interval_ms` (1000), `timeout_ms` (30000), `output_format` (png | jpeg, png).
public struct FalProvider: ImageProvider {
    public static let description = PluginDescription(
        id: "fal", name: "fal.ai", version: "1.0.0", nsfwAllowed: false,
        secrets: ["FAL_KEY"],
        models: [
            // fal.ai/models/fal-ai/flux-1/dev: $0.025 per megapixel of output.
            .init(name: "fal-flux-dev", providerModel: "fal-ai/flux-1/dev", price: .perMegapixel(0.025),
                  limits: ["min_size": 256, "max_size": 2048, "max_outputs": 4]),
            .init(name: "fal-flux-schnell", providerModel: "fal-ai/flux-1/schnell", price: .perMegapixel(0.003),
                  limits: ["min_size": 256, "max_size": 2048, "max_outputs": 4]),
        ])

    let client: ProviderClient
    let host: HostServices
    let pollInterval: Int
    let outputFormat: String

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {
        let c = ProviderConfig(config, pluginID: "fal")
        client = ProviderClient(
            host: host, provider: "fal.ai",
            baseURL: try c.baseURL(default: "https://queue.fal.run") ?? "https://queue.fal.run",
            auth: .init(header: "Authorization", scheme: "Key",
                        secretName: try c.string("secret_name", default: "FAL_KEY") ?? "FAL_KEY"),
            timeoutMilliseconds: try c.int("timeout_ms", default: 30_000, range: 1_000...600_000) ?? 30_000,
            describeError: FalProvider.describeError)
        self.host = host
        pollInterval = try c.int("poll_interval_ms", default: 1_000, range: 10...60_000) ?? 1_000
        outputFormat = try c.choice("output_format", ["png", "jpeg"], default: "png")
    }

    /// fal's two error shapes: request errors `{"detail": "text", "error_type": "..."}` and
    /// model errors `{"detail": [{"loc", "msg", "type"}, ...]}`.
    static func describeError(_ r: HostServices.HTTPResponse) -> String? {
        guard let j = r.json else { return r.text.isEmpty ? nil : r.text }
        if let refusal = FalResult.contentPolicyViolation(j) { return refusal }
        var text: String?
        if let d = j["detail"]?.string { text = d }
        if let items = j["detail"]?.array {
            text = items.map { i in
                let field = i["loc"]?.array?.compactMap(\.string).filter { $0 != "body" }.joined(separator: ".") ?? ""
                return (field.isEmpty ? "" : field + ": ") + (i["msg"]?.string ?? i["type"]?.string ?? "invalid")
            }.joined(separator: "; ")
        }
        let type = j["error_type"]?.string ?? r.header("x-fal-error-type")
        switch (text, type) {
        case let (t?, ty?): return "\(t) (\(ty))"
        case let (t?, nil): return t
        case let (nil, ty?): return ty
        default: return r.text
        }
    }

    /// fal answers an account whose balance ran out with 403 "User is locked. Reason:
    /// Exhausted balance": that is quota, not a bad key. A refused input is a content decision.
    static func override(_ r: HostServices.HTTPResponse, _ detail: String?) -> ProviderStatus? {
        let text = (detail ?? "").lowercased()
        if r.status == 403, text.contains("exhausted balance") || text.contains("top up") { return .quota }
        if r.status == 422, FalResult.contentPolicyViolation(r.json) != nil { return .contentFiltered }
        return nil
    }

    // MARK: submit

    public func submit(_ request: GenerationRequest) throws(ProviderError) -> PollResult {
        try client.requireKey()
        let input = FalInput(request, outputFormat: outputFormat)
        if !input.dropped.isEmpty {
            host.log(.info, "job \(request.jobID): \(request.model) has no \(input.dropped.joined(separator: ", ")); sent without it")
        }
        let purpose = "queue a request for \(request.model)"
        let response = try client.send("POST", "/" + request.model, intent: .create, purpose: purpose,
                                       headers: [("Content-Type", "application/json")],
                                       body: [UInt8](JSONValue.object(input.body).encoded()))
        try client.check(response, intent: .create, purpose: purpose, override: Self.override)
        let value = try client.json(response, intent: .create, purpose: purpose)
        guard let id = value["request_id"]?.string, !id.isEmpty else {
            throw ProviderError(.timeout, "fal.ai accepted the request to \(purpose) but its answer has no request_id; the request may "
                                + "be queued, so it is not sent again automatically")
        }
        let base = requestBase(model: request.model, id: id)
        let ref = FalJobRef(id: id, model: request.model,
                            statusURL: ownURL(value["status_url"]?.string, fallback: base + "/status"),
                            responseURL: ownURL(value["response_url"]?.string, fallback: base),
                            cancelURL: ownURL(value["cancel_url"]?.string, fallback: base + "/cancel"))
        host.log(.info, "job \(request.jobID): fal request \(id) queued for \(request.model)")
        return PollResult(state: .queued, ref: ref.json, nextPollMilliseconds: pollInterval)
    }

    /// `{base}/{owner}/{app}/requests/{id}`: only used when fal's answer lacks a URL.
    func requestBase(model: String, id: String) -> String {
        let app = model.split(separator: "/").prefix(2).joined(separator: "/")
        return client.url("/\(app)/requests/\(id)")
    }

    /// A URL from fal's answer, kept only when it points at the configured queue host (the key
    /// is sent to it); anything else is replaced by the documented path on that host.
    func ownURL(_ url: String?, fallback: String) -> String {
        guard let url, client.isOwnHost(url) else { return fallback }
        return url
    }

    // MARK: poll

    public func poll(_ refValue: JSONValue) throws(ProviderError) -> PollResult {
        let ref = try FalJobRef(refValue)
        if let outputs = ref.outputs { return succeeded(ref, outputs: outputs, seed: nil, seconds: nil) }
        let purpose = "read the status of fal request \(ref.id)"
        let response = try client.send("GET", ref.statusURL, intent: .read, purpose: purpose)
        if response.status == 404 {
            throw ProviderError(.notFound, "fal.ai does not know request \(ref.id) (HTTP 404): it expired or was never queued")
        }
        try client.check(response, intent: .read, purpose: purpose)
        let status = try client.json(response, intent: .read, purpose: purpose)
        switch status["status"]?.string {
        case "IN_QUEUE":
            return PollResult(state: .queued, nextPollMilliseconds: pollInterval)
        case "IN_PROGRESS":
            return PollResult(state: .running, nextPollMilliseconds: pollInterval)
        case "COMPLETED":
            if let error = status["error"]?.string {
                let type = status["error_type"]?.string.map { " (\($0))" } ?? ""
                return PollResult(state: .failed, error: ProviderError(.provider, "fal request \(ref.id) failed: \(error)\(type)"))
            }
            return try readResult(ref)
        case "CANCELLED"?, "CANCELED"?:
            return PollResult(state: .cancelled)
        case let other:
            throw ProviderError(.provider, "fal.ai reported an unknown status \"\(other ?? "none")\" for request \(ref.id)")
        }
    }

    /// `GET response_url` of a completed request: the model's output, or the error it ended with.
    func readResult(_ ref: FalJobRef) throws(ProviderError) -> PollResult {
        let purpose = "read the result of fal request \(ref.id)"
        let response = try client.send("GET", ref.responseURL, intent: .read, purpose: purpose)
        if !(200...299).contains(response.status) {
            return try failedResult(ref, response, purpose: purpose)
        }
        let result = try FalResult(try client.json(response, intent: .read, purpose: purpose), requestID: ref.id)
        if result.outputs.isEmpty {
            if result.flagged > 0 {
                return PollResult(state: .contentFiltered, error: ProviderError(.contentFiltered,
                    "fal's safety checker flagged all \(result.flagged) image(s) of request \(ref.id) (has_nsfw_concepts); none is kept"))
            }
            return PollResult(state: .failed, error: ProviderError(.provider, "fal request \(ref.id) completed without any image"))
        }
        if result.flagged > 0 {
            host.log(.warning, "fal request \(ref.id): dropped \(result.flagged) image(s) its safety checker flagged")
        }
        var done = ref
        done.outputs = result.outputs
        return succeeded(done, outputs: result.outputs, seed: result.seed, seconds: result.inferenceSeconds)
    }

    /// A non-2xx result: the request's own failure (final) or a failure to read it (thrown, so
    /// the host polls again).
    func failedResult(_ ref: FalJobRef, _ response: HostServices.HTTPResponse, purpose: String) throws(ProviderError) -> PollResult {
        if let reason = FalResult.contentPolicyViolation(response.json) {
            return PollResult(state: .contentFiltered, error: ProviderError(.contentFiltered, "\(reason) (request \(ref.id))"))
        }
        let errorType = response.json?["error_type"]?.string ?? response.header("x-fal-error-type")
        switch response.status {
        case 401, 403, 404, 429:
            throw client.error(for: response, intent: .read, purpose: purpose, override: Self.override)
        case 400...499:
            let e = client.error(for: response, intent: .read, purpose: purpose)
            return PollResult(state: .failed, error: ProviderError(.invalidRequest, e.message))
        case 500...599 where errorType != nil:
            // fal retried it (up to 10 times) before giving up: the request has failed, unbilled.
            let e = client.error(for: response, intent: .read, purpose: purpose)
            return PollResult(state: .failed, error: ProviderError(.provider, e.message + "; fal does not bill failed requests"))
        default:
            throw client.error(for: response, intent: .read, purpose: purpose)
        }
    }

    func succeeded(_ ref: FalJobRef, outputs: [FalJobRef.Output], seed: UInt32?, seconds: Double?) -> PollResult {
        PollResult(state: .succeeded, ref: ref.json, progress: 1,
                   outputs: outputs.indices.map { PollResult.Output(index: $0, mime: outputs[$0].mime) },
                   providerTimeSeconds: seconds, seed: seed)
    }

    // MARK: fetch

    public func fetch(_ refValue: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        var ref = try FalJobRef(refValue)
        if ref.outputs == nil {
            let result = try poll(refValue)
            guard result.state == .succeeded, let updated = result.ref else {
                throw ProviderError(.invalidRequest, "fal request \(ref.id) has no outputs to fetch (it is \(result.state.rawValue))")
            }
            ref = try FalJobRef(updated)
        }
        let outputs = ref.outputs ?? []
        guard outputs.indices.contains(index) else {
            throw ProviderError(.invalidRequest, "fal request \(ref.id) has \(outputs.count) output(s); there is no output \(index)")
        }
        let what = "output \(index) of fal request \(ref.id)"
        let location = outputs[index].url
        if location.hasPrefix("data:") {
            guard let decoded = DataURL.decode(location) else { throw ProviderError(.provider, "\(what) is a data: URL that is not valid base64") }
            _ = try EncodedImage.validated(decoded.bytes, what: what)
            return decoded.bytes
        }
        // Output files live on fal's CDN (public URLs): fetched without the key, always.
        let response = try client.send("GET", location, intent: .read, purpose: "download \(what)", authenticated: false)
        if [403, 404, 410].contains(response.status) {
            throw ProviderError(.notFound, "\(what) is no longer available (HTTP \(response.status)): its file URL has expired; "
                                + "generate the image again")
        }
        try client.check(response, intent: .read, purpose: "download \(what)")
        _ = try EncodedImage.validated(response.body, what: what)
        return response.body
    }

    // MARK: cancel

    /// `PUT cancel_url`: 202 when the cancel was accepted, 400 `ALREADY_COMPLETED` when there
    /// is nothing left to stop (both fine: cancel is idempotent).
    public func cancel(_ refValue: JSONValue) throws(ProviderError) {
        let ref = try FalJobRef(refValue)
        let purpose = "cancel fal request \(ref.id)"
        let response = try client.send("PUT", ref.cancelURL, intent: .cancel, purpose: purpose)
        switch response.status {
        case 200...299:
            host.log(.info, "fal request \(ref.id): cancel requested")
        case 400 where response.json?["status"]?.string == "ALREADY_COMPLETED":
            host.log(.info, "fal request \(ref.id) had already completed; nothing to cancel")
        case 404:
            throw ProviderError(.notFound, "fal.ai does not know request \(ref.id) (HTTP 404); nothing to cancel")
        default:
            throw client.error(for: response, intent: .cancel, purpose: purpose, override: Self.override)
        }
    }
}

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(FalProvider.self, host: host)
}
