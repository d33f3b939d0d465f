import Foundation
import PluginKit

/// Black Forest Labs (https://bfl.ai): FLUX.2 and FLUX.1 Kontext / FLUX1.1 [pro] first-party.
///
/// `submit` posts the task (`POST /v1/{model}`, key in `x-key`) and persists BFL's `id`,
/// `polling_url` and `cost`; `poll` reads the polling URL until `Ready`, `fetch` downloads the
/// signed `result.sample` URL, which the host does at once (the URL expires 10 minutes after
/// the task is ready; an expired one fails as not found, with no retry loop). The reported
/// `cost` (credits, 1 credit = $0.01) is the job's exact cost.
///
/// Kontext (`flux-kontext-pro`, `flux-kontext-max`) also edits: `imagegen images vary` sends
/// the stored image as `input_image` (base64) with the prompt as the instruction.
///
/// Moderation: BFL reports an input refusal as `Request Moderated` and a withheld output as
/// `Content Moderated`; both end the job as content filtered and the message says which.
/// `safety_tolerance` (0 strict … 6 permissive; FLUX.2 stops at 5) comes from the config.
/// The plugin declares `nsfw_allowed: false`: BFL's terms and model cards exclude pornographic
/// content and its moderation is BFL's to tune, so the studio's adult categories never go here.
///
/// Config (`providers.bfl`): `region` (global | eu | us: api.bfl.ai, api.eu.bfl.ai,
/// api.us.bfl.ai), `base_url` (overrides the region), `secret_name` (BFL_API_KEY),
/// `safety_tolerance` (2), `output_format` (png | jpeg, png), `poll_interval_ms` (1000),
/// `timeout_ms` (30000), `credit_usd` (0.01), `rate_limit_backoff_ms` (5000).
public struct BFLProvider: ImageProvider {
    public static let description = PluginDescription(
        id: "bfl", name: "Black Forest Labs", version: "1.0.0", nsfwAllowed: false,
        secrets: ["BFL_API_KEY"],
        models: [
            // Prices for reservations (first megapixel); BFL's reported cost replaces them.
            .init(name: "flux-2-pro", providerModel: "flux-2-pro", price: .perImage(0.03),
                  limits: ["min_size": 64, "max_size": 2048, "max_outputs": 1]),
            .init(name: "flux-2-max", providerModel: "flux-2-max", price: .perImage(0.07),
                  limits: ["min_size": 64, "max_size": 2048, "max_outputs": 1]),
            .init(name: "flux-2-flex", providerModel: "flux-2-flex", price: .perImage(0.06),
                  limits: ["min_size": 64, "max_size": 2048, "max_outputs": 1]),
            .init(name: "flux-2-klein-4b", providerModel: "flux-2-klein-4b", price: .perImage(0.014),
                  limits: ["min_size": 64, "max_size": 2048, "max_outputs": 1]),
            .init(name: "flux-kontext-pro", providerModel: "flux-kontext-pro", price: .perImage(0.04),
                  capabilities: ["text-to-image", "image-to-image"], limits: ["min_size": 256, "max_size": 2048, "max_outputs": 1]),
            .init(name: "flux-kontext-max", providerModel: "flux-kontext-max", price: .perImage(0.08),
                  capabilities: ["text-to-image", "image-to-image"], limits: ["min_size": 256, "max_size": 2048, "max_outputs": 1]),
            .init(name: "flux-pro-1.1", providerModel: "flux-pro-1.1", price: .perImage(0.04),
                  limits: ["min_size": 256, "max_size": 1440, "max_outputs": 1]),
            .init(name: "flux-pro-1.1-ultra", providerModel: "flux-pro-1.1-ultra", price: .perImage(0.06),
                  limits: ["min_size": 256, "max_size": 2048, "max_outputs": 1]),
        ])

    let client: ProviderClient
    let host: HostServices
    let safetyTolerance: Int
    let outputFormat: String
    let pollInterval: Int
    let creditUSD: Double
    let rateLimitBackoff: Int

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {
        let c = ProviderConfig(config, pluginID: "bfl")
        let region = BFLRegion(rawValue: try c.choice("region", BFLRegion.allCases.map(\.rawValue), default: "global")) ?? .global
        let base = try c.baseURL(default: region.baseURL) ?? region.baseURL
        client = ProviderClient(
            host: host, provider: "Black Forest Labs", baseURL: base,
            auth: .init(header: "x-key", scheme: nil,
                        secretName: try c.string("secret_name", default: "BFL_API_KEY") ?? "BFL_API_KEY"),
            timeoutMilliseconds: try c.int("timeout_ms", default: 30_000, range: 1_000...600_000) ?? 30_000,
            describeError: BFLProvider.describeError)
        self.host = host
        safetyTolerance = try c.int("safety_tolerance", default: 2, range: 0...6) ?? 2
        outputFormat = try c.choice("output_format", ["png", "jpeg"], default: "png")
        pollInterval = try c.int("poll_interval_ms", default: 1_000, range: 10...60_000) ?? 1_000
        let credit = c.values["credit_usd"]?.number ?? 0.01
        guard credit > 0, credit < 1 else {
            throw ProviderError(.invalidRequest, "providers.bfl.credit_usd must be a price in USD between 0 and 1, got \(credit)")
        }
        creditUSD = credit
        rateLimitBackoff = try c.int("rate_limit_backoff_ms", default: 5_000, range: 0...600_000) ?? 5_000
        host.log(.info, "bfl: region \(region.rawValue), endpoint \(base), safety_tolerance \(safetyTolerance)")
    }

    /// BFL answers errors as `{"detail": "text"}` or, for validation, `{"detail": [{"loc", "msg"}]}`.
    static func describeError(_ r: HostServices.HTTPResponse) -> String? {
        guard let j = r.json else { return r.text.isEmpty ? nil : r.text }
        if let d = j["detail"]?.string { return d }
        if let items = j["detail"]?.array {
            return items.map { i in
                let field = i["loc"]?.array?.compactMap(\.string).filter { $0 != "body" }.joined(separator: ".") ?? ""
                return (field.isEmpty ? "" : field + ": ") + (i["msg"]?.string ?? "invalid")
            }.joined(separator: "; ")
        }
        return j["message"]?.string ?? r.text
    }

    // MARK: submit

    public func submit(_ request: GenerationRequest) throws(ProviderError) -> PollResult {
        try client.requireKey()
        guard request.numOutputs <= 1 else {
            throw ProviderError(.invalidRequest, "BFL makes one image per task; ask for num_outputs 1 (several images are several jobs)")
        }
        let model = BFLModel(request.model)
        if request.kind != .generate {
            guard request.kind == .vary, model.edits else {
                throw ProviderError(.unsupported, "BFL's \(request.model) cannot \(request.kind.rawValue) an image; "
                                    + "flux-kontext-pro and flux-kontext-max edit one, and BFL has no upscaler")
            }
            guard let bytes = request.inputImage?.bytes, !bytes.isEmpty else {
                throw ProviderError(.invalidRequest, "BFL: a vary request needs input_image with base64 image bytes")
            }
            if request.strength != nil {
                host.log(.info, "job \(request.jobID): Kontext has no strength setting; the prompt alone says how much to change")
            }
        }
        if safetyTolerance > model.maxTolerance {
            host.log(.info, "job \(request.jobID): \(request.model) accepts safety_tolerance up to \(model.maxTolerance); sending that")
        }
        if !(request.negativePrompt?.isEmpty ?? true) {
            host.log(.info, "job \(request.jobID): FLUX has no negative prompt; sent without it")
        }
        let body = model.body(request, safetyTolerance: safetyTolerance, outputFormat: outputFormat)
        let purpose = "create a \(request.model) task"
        let response = try client.send("POST", "/v1/" + request.model, intent: .create, purpose: purpose,
                                       headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                                       body: [UInt8](JSONValue.object(body).encoded()))
        try check(response, intent: .create, purpose: purpose)
        let value = try client.json(response, intent: .create, purpose: purpose)
        guard let id = value["id"]?.string, !id.isEmpty else {
            throw ProviderError(.timeout, "BFL accepted the request to \(purpose) but its answer has no task id; the task may exist, "
                                + "so it is not sent again automatically")
        }
        let polling = pollingURL(value["polling_url"]?.string, id: id)
        let ref = BFLJobRef(id: id, pollingURL: polling, model: request.model, costCredits: value["cost"]?.number)
        host.log(.info, "job \(request.jobID): BFL task \(id) created" + (ref.costCredits.map { " (cost \($0) credits)" } ?? ""))
        return PollResult(state: .queued, ref: ref.json, nextPollMilliseconds: pollInterval)
    }

    /// The polling URL BFL returned when it is one of BFL's API hosts (the key goes to it);
    /// otherwise the documented `get_result` on the configured endpoint.
    func pollingURL(_ url: String?, id: String) -> String {
        let fallback = client.url("/v1/get_result?id=\(id)")
        guard let url, let parts = URLComponents(string: url), let h = parts.host?.lowercased() else { return fallback }
        if client.isOwnHost(url) { return url }
        if parts.scheme == "https", h == "bfl.ai" || h.hasSuffix(".bfl.ai") { return url }
        host.log(.warning, "BFL task \(id): ignoring a polling_url outside bfl.ai (\(h)); polling get_result instead")
        return fallback
    }

    func check(_ response: HostServices.HTTPResponse, intent: ProviderClient.Intent, purpose: String) throws(ProviderError) {
        guard !(200...299).contains(response.status) else { return }
        var e = client.error(for: response, intent: intent, purpose: purpose, defaultRetryAfterMilliseconds: rateLimitBackoff)
        if e.status == .rateLimited {
            e.message += " (BFL limits how many tasks run at once: 24, or 6 for flux-kontext-max)"
        }
        throw e
    }

    // MARK: poll

    public func poll(_ refValue: JSONValue) throws(ProviderError) -> PollResult {
        var ref = try BFLJobRef(refValue)
        if ref.sample != nil { return succeeded(ref) }
        let purpose = "read BFL task \(ref.id)"
        let response = try client.send("GET", ref.pollingURL, intent: .read, purpose: purpose, headers: [("Accept", "application/json")])
        if response.status == 404 {
            throw ProviderError(.notFound, "BFL does not know task \(ref.id) (HTTP 404): it expired or was never created")
        }
        try check(response, intent: .read, purpose: purpose)
        let value = try client.json(response, intent: .read, purpose: purpose)
        let details = Self.details(value["details"])
        switch value["status"]?.string {
        case "Pending"?:
            return PollResult(state: .running, progress: value["progress"]?.number.map { min(max($0, 0), 1) },
                              nextPollMilliseconds: pollInterval)
        case "Ready"?:
            guard let sample = value["result"]?["sample"]?.string else {
                return PollResult(state: .failed, error: ProviderError(.provider, "BFL task \(ref.id) is Ready but has no result.sample URL"))
            }
            ref.sample = sample
            ref.seed = value["result"]?["seed"]?.number.flatMap { UInt32(exactly: $0.rounded()) }
            return succeeded(ref)
        case "Request Moderated"?:
            return PollResult(state: .contentFiltered, error: ProviderError(.contentFiltered,
                "BFL's input moderation refused task \(ref.id) (status \"Request Moderated\": the prompt or input image)\(details)"))
        case "Content Moderated"?:
            return PollResult(state: .contentFiltered, error: ProviderError(.contentFiltered,
                "BFL's output moderation withheld the image of task \(ref.id) (status \"Content Moderated\": the generated image)\(details)"))
        case "Error"?:
            return PollResult(state: .failed, error: ProviderError(.provider, "BFL task \(ref.id) failed (status \"Error\")\(details)"))
        case "Task not found"?:
            throw ProviderError(.notFound, "BFL does not know task \(ref.id) (status \"Task not found\"): it expired or was never created")
        case let other:
            throw ProviderError(.provider, "BFL reported an unknown status \"\(other ?? "none")\" for task \(ref.id)")
        }
    }

    static func details(_ v: JSONValue?) -> String {
        guard let v, !v.isNull else { return "" }
        if let o = v.object, !o.isEmpty {
            let parts = o.keys.sorted().map { k -> String in
                let value = o[k]!
                let text = value.array.map { $0.compactMap(\.string).joined(separator: ", ") } ?? value.string
                    ?? String(decoding: value.encoded(), as: UTF8.self)
                return "\(k): \(text)"
            }
            return " — " + parts.joined(separator: "; ")
        }
        return v.string.map { " — \($0)" } ?? ""
    }

    func succeeded(_ ref: BFLJobRef) -> PollResult {
        PollResult(state: .succeeded, ref: ref.json, progress: 1,
                   outputs: [PollResult.Output(index: 0, mime: Self.mime(ref.sample ?? ""))],
                   costUSD: ref.costCredits.map { $0 * creditUSD }, seed: ref.seed)
    }

    static func mime(_ url: String) -> String {
        let path = (URLComponents(string: url)?.path ?? url).lowercased()
        if path.hasSuffix(".png") { return "image/png" }
        if path.hasSuffix(".webp") { return "image/webp" }
        return "image/jpeg"
    }

    // MARK: fetch

    public func fetch(_ refValue: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        var ref = try BFLJobRef(refValue)
        if ref.sample == nil {
            let result = try poll(refValue)
            guard result.state == .succeeded, let updated = result.ref else {
                throw ProviderError(.invalidRequest, "BFL task \(ref.id) has no image to fetch (it is \(result.state.rawValue))")
            }
            ref = try BFLJobRef(updated)
        }
        guard index == 0, let sample = ref.sample else {
            throw ProviderError(.invalidRequest, "BFL task \(ref.id) has one output; there is no output \(index)")
        }
        let what = "the image of BFL task \(ref.id)"
        if let expiry = Self.signedURLExpiry(sample), Int64(expiry.timeIntervalSince1970 * 1000) <= host.nowMilliseconds() {
            throw expired(what, detail: "its signed URL expired at \(ISO8601DateFormatter().string(from: expiry))")
        }
        // A pre-signed delivery URL: the key never goes with it.
        let response = try client.send("GET", sample, intent: .read, purpose: "download \(what)", authenticated: false)
        if [403, 404, 410].contains(response.status) {
            throw expired(what, detail: "the delivery host answered HTTP \(response.status)")
        }
        try client.check(response, intent: .read, purpose: "download \(what)")
        _ = try EncodedImage.validated(response.body, what: what)
        return response.body
    }

    func expired(_ what: String, detail: String) -> ProviderError {
        ProviderError(.notFound, "\(what) can no longer be downloaded: \(detail). BFL result URLs are valid for 10 minutes after "
                      + "the task is ready; generate the image again")
    }

    /// The `se` (signed expiry) of an Azure-style pre-signed URL, as BFL's delivery URLs carry.
    static func signedURLExpiry(_ url: String) -> Date? {
        guard let se = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "se" })?.value else { return nil }
        return ISO8601DateFormatter().date(from: se)
    }

    // MARK: cancel, balance

    public func cancel(_ ref: JSONValue) throws(ProviderError) {
        // BFL has no cancel endpoint; a task runs to its end (seconds) and its result expires unused.
        host.log(.info, "BFL offers no cancel; task \((try? BFLJobRef(ref))?.id ?? "?") is left to finish")  // try?: only names the task in a log line
    }

    /// `GET /v1/credits` → `{"credits": n}` (1 credit = $0.01).
    public func balance() throws(ProviderError) -> Balance? {
        let purpose = "read the account's credits"
        let response = try client.send("GET", "/v1/credits", intent: .read, purpose: purpose)
        try check(response, intent: .read, purpose: purpose)
        guard let credits = try client.json(response, intent: .read, purpose: purpose)["credits"]?.number else {
            throw ProviderError(.provider, "BFL's credits answer has no credits field")
        }
        return Balance(credits: credits, unit: "credits")
    }
}

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(BFLProvider.self, host: host)
}
