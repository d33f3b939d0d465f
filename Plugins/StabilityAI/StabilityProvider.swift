import Foundation
import PluginKit

/// Stability AI (https://platform.stability.ai): v1 text-to-image for SDXL 1.0 and the v2beta
/// Stable Image endpoints (Core, Ultra, SD 3.5).
///
/// Every generation is synchronous: `submit` sends the request and receives the images, which
/// go into the job reference, so `poll` and `fetch` never call Stability (and a host restart
/// loses nothing). There is no cancel endpoint; a job past its deadline is cut off by the
/// request timeout, which is derived from the deadline.
///
/// Config (`providers.stabilityai`): `base_url` (https://api.stability.ai), `secret_name`
/// (STABILITY_API_KEY), `accept` ("image": raw bytes, or "json": base64; v2beta only),
/// `output_format` (png | jpeg | webp; v2beta), `timeout_ms` (120000), `snap_dimensions`
/// (true: move v1 sizes to the nearest one SDXL accepts), `client_id` (sent as
/// stability-client-id), `rate_limit_backoff_ms` (60000: Stability locks a client out for 60 s
/// after a 429 and sends no Retry-After).
public struct StabilityProvider: ImageProvider {
    public static let description = PluginDescription(
        id: "stabilityai", name: "Stability AI", version: "1.0.0", nsfwAllowed: false,
        secrets: ["STABILITY_API_KEY"],
        models: [
            .init(name: "stable-diffusion-xl", providerModel: "stable-diffusion-xl-1024-v1-0", price: .perImage(0.08),
                  limits: ["min_size": 512, "max_size": 1536, "max_outputs": 4]),
            // v2beta Stable Image: one image per request, priced in credits ($0.01 each).
            .init(name: "stable-image-core", providerModel: "stable-image-core", price: .perImage(0.03),
                  limits: ["min_size": 512, "max_size": 2304, "max_outputs": 1]),
            .init(name: "stable-image-ultra", providerModel: "stable-image-ultra", price: .perImage(0.08),
                  capabilities: ["text-to-image", "image-to-image"],
                  limits: ["min_size": 512, "max_size": 1536, "max_outputs": 1]),
            .init(name: "sd3.5-large", providerModel: "sd3.5-large", price: .perImage(0.065),
                  capabilities: ["text-to-image", "image-to-image"],
                  limits: ["min_size": 512, "max_size": 1536, "max_outputs": 1]),
            .init(name: "sd3.5-large-turbo", providerModel: "sd3.5-large-turbo", price: .perImage(0.04),
                  capabilities: ["text-to-image", "image-to-image"],
                  limits: ["min_size": 512, "max_size": 1536, "max_outputs": 1]),
            .init(name: "sd3.5-medium", providerModel: "sd3.5-medium", price: .perImage(0.035),
                  capabilities: ["text-to-image", "image-to-image"],
                  limits: ["min_size": 512, "max_size": 1536, "max_outputs": 1]),
            // Upscaling only: /v2beta/stable-image/upscale/fast, always 4x (inputs 32...1536 px a side).
            .init(name: "stable-fast-upscale", providerModel: "stable-fast-upscale", price: .perImage(0.02),
                  capabilities: ["upscale"], limits: ["min_size": 128, "max_size": 6144, "max_outputs": 1]),
        ])

    let client: ProviderClient
    let host: HostServices
    let acceptJSON: Bool
    let outputFormat: String
    let snapDimensions: Bool
    let clientID: String?
    let rateLimitBackoff: Int

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {
        let c = ProviderConfig(config, pluginID: "stabilityai")
        client = ProviderClient(
            host: host, provider: "Stability AI",
            baseURL: try c.baseURL(default: "https://api.stability.ai") ?? "https://api.stability.ai",
            auth: .init(header: "Authorization", scheme: "Bearer",
                        secretName: try c.string("secret_name", default: "STABILITY_API_KEY") ?? "STABILITY_API_KEY"),
            timeoutMilliseconds: try c.int("timeout_ms", default: 120_000, range: 1_000...600_000) ?? 120_000,
            describeError: StabilityProvider.describeError)
        self.host = host
        acceptJSON = try c.choice("accept", ["image", "json"], default: "image") == "json"
        outputFormat = try c.choice("output_format", ["png", "jpeg", "webp"], default: "png")
        snapDimensions = try c.bool("snap_dimensions", default: true)
        clientID = try c.string("client_id")
        rateLimitBackoff = try c.int("rate_limit_backoff_ms", default: 60_000, range: 0...600_000) ?? 60_000
    }

    /// v1 errors are `{id, name, message}`, v2beta errors `{id, name, errors: [...]}`.
    static func describeError(_ r: HostServices.HTTPResponse) -> String? {
        guard let j = r.json else { return r.text.isEmpty ? nil : r.text }
        let name = j["name"]?.string
        let text = j["errors"]?.array?.compactMap(\.string).joined(separator: "; ") ?? j["message"]?.string
        switch (name, text) {
        case let (n?, t?): return "\(n): \(t)"
        case let (n?, nil): return n
        case let (nil, t?): return t
        default: return r.text
        }
    }

    /// Stability's documented refusals that are content decisions, not bad requests or keys:
    /// 403 `content_moderation`, v1 400 `invalid_prompts` (filtered words), 422 `public_figure`.
    static func contentRefusal(_ r: HostServices.HTTPResponse, _ detail: String?) -> ProviderStatus? {
        let name = r.json?["name"]?.string ?? ""
        let text = (detail ?? "").lowercased()
        if r.status == 403, name == "content_moderation" || text.contains("moderat") { return .contentFiltered }
        if r.status == 400, name == "invalid_prompts" || text.contains("invalid_prompts") { return .contentFiltered }
        if r.status == 422, ["public_figure", "copyrighted_content"].contains(name) { return .contentFiltered }
        return nil
    }

    // MARK: submit

    public func submit(_ request: GenerationRequest) throws(ProviderError) -> PollResult {
        try client.requireKey()
        let route = StabilityRoute(providerModel: request.model)
        if request.kind != .generate, route.isV1 {
            throw ProviderError(.unsupported, "Stability's v1 \(request.model) cannot \(request.kind.rawValue); use sd3.5-* or stable-fast-upscale")
        }
        if !route.isV1, request.numOutputs > 1 {
            throw ProviderError(.invalidRequest, "Stability's \(request.model) makes one image per request; ask for num_outputs 1 "
                                + "(several images are several jobs)")
        }
        var timeout = client.timeoutMilliseconds
        if let deadline = request.deadlineMs {
            let left = deadline - host.nowMilliseconds()
            guard left > 0 else {
                throw ProviderError(.timeout, "Stability AI: job \(request.jobID) reached its deadline before it was sent; nothing was sent")
            }
            timeout = min(timeout, Int(left))
        }
        var headers: [(String, String)] = []
        if let clientID { headers.append(("stability-client-id", clientID)) }
        let purpose = "generate with \(request.model)"
        let response: HostServices.HTTPResponse
        let ref: StabilityJobRef
        switch route {
        case .v1(let engine):
            let body = v1Body(request, engine: engine)
            headers += [("Content-Type", "application/json"), ("Accept", "application/json")]
            response = try client.send("POST", route.path, intent: .create, purpose: purpose, headers: headers,
                                       body: [UInt8](body.encoded()), timeoutMilliseconds: timeout)
            try check(response, purpose: purpose)
            ref = try v1Result(response, purpose: purpose)
        case .core, .ultra, .sd3, .fastUpscale:
            let form = try request.kind == .generate && route != .fastUpscale ? v2Form(request, route: route) : derivedForm(request, route: route)
            headers += [("Content-Type", form.contentType), ("Accept", acceptJSON ? "application/json" : "image/*")]
            response = try client.send("POST", route.path, intent: .create, purpose: purpose, headers: headers,
                                       body: form.body, timeoutMilliseconds: timeout)
            try check(response, purpose: purpose)
            ref = try v2Result(response, purpose: purpose)
        }
        host.log(.info, "job \(request.jobID): Stability \(request.model) → \(ref.state.rawValue), \(ref.images.count) image(s)"
                 + (ref.requestID.map { " (request \($0))" } ?? ""))
        return ref.pollResult
    }

    func check(_ response: HostServices.HTTPResponse, purpose: String) throws(ProviderError) {
        guard !(200...299).contains(response.status) else { return }
        var e = client.error(for: response, intent: .create, purpose: purpose, override: Self.contentRefusal,
                             defaultRetryAfterMilliseconds: rateLimitBackoff)
        if e.status == .rateLimited, response.header("retry-after") == nil {
            e.message += " (Stability locks a client out for 60 s after exceeding 150 requests in 10 s)"
        }
        if e.status == .contentFiltered { e.message += "; nothing was charged" }
        throw e
    }

    // MARK: v1

    func v1Body(_ r: GenerationRequest, engine: String) -> JSONValue {
        var prompts: [JSONValue] = [["text": .string(r.prompt), "weight": 1]]
        if let negative = r.negativePrompt, !negative.isEmpty {
            prompts.append(["text": .string(negative), "weight": -1])
        }
        var (w, h) = (r.width, r.height)
        if snapDimensions {
            (w, h) = engine.contains("xl-1024") ? StabilityDimensions.nearestSDXL(width: w, height: h)
                                                : StabilityDimensions.v1Generic(width: w, height: h)
            if (w, h) != (r.width, r.height) {
                host.log(.info, "job \(r.jobID): \(r.width)×\(r.height) is not a size \(engine) accepts; using \(w)×\(h)")
            }
        }
        var o: [String: JSONValue] = [
            "text_prompts": .array(prompts), "width": .number(Double(w)), "height": .number(Double(h)),
            "samples": .number(Double(min(max(r.numOutputs, 1), 10))),
            "seed": .number(Double(r.seed ?? 0)),
        ]
        if let g = r.guidanceScale { o["cfg_scale"] = .number(min(max(g, 0), 35)) }
        if let s = r.steps { o["steps"] = .number(Double(min(max(s, 10), 50))) }
        for key in ["style_preset", "sampler", "clip_guidance_preset"] { if let v = r.options[key] { o[key] = v } }
        return .object(o)
    }

    func v1Result(_ response: HostServices.HTTPResponse, purpose: String) throws(ProviderError) -> StabilityJobRef {
        let value = try client.json(response, intent: .create, purpose: purpose)
        guard let artifacts = value["artifacts"]?.array ?? value.array else {
            throw ProviderError(.timeout, "Stability AI answered the request to \(purpose) without artifacts; the images may have "
                                + "been generated and charged, so it is not sent again automatically")
        }
        var kept: [StabilityJobRef.Image] = []
        var filtered = 0, failed = 0
        for (i, a) in artifacts.enumerated() {
            switch a["finishReason"]?.string {
            case "CONTENT_FILTERED": filtered += 1; continue
            case "SUCCESS": break
            default: failed += 1; continue
            }
            let what = "image \(i) from Stability AI"
            guard let b64 = a["base64"]?.string, let data = Data(base64Encoded: b64) else {
                return StabilityJobRef(requestID: nil, images: [], state: .failed,
                                       error: ProviderError(.provider, "\(what) is not valid base64"))
            }
            do {
                let format = try EncodedImage.validated([UInt8](data), what: what)
                kept.append(.init(base64: b64, mime: format.mime, seed: a["seed"]?.number.map { UInt32(clamping: Int64($0)) }))
            } catch {
                return StabilityJobRef(requestID: nil, images: [], state: .failed, error: error)
            }
        }
        return outcome(kept: kept, filtered: filtered, failed: failed, requestID: nil)
    }

    /// Images that tripped the filter come back blurred: they are dropped, never shown as a
    /// success; if nothing else is left, the job is content-filtered.
    func outcome(kept: [StabilityJobRef.Image], filtered: Int, failed: Int, requestID: String?) -> StabilityJobRef {
        if kept.isEmpty, filtered > 0 {
            return StabilityJobRef(requestID: requestID, images: [], state: .contentFiltered,
                                   error: ProviderError(.contentFiltered, "Stability AI's content filter blurred the generated image"
                                                        + (filtered > 1 ? "s (\(filtered))" : "") + "; it is not kept"))
        }
        if kept.isEmpty {
            return StabilityJobRef(requestID: requestID, images: [], state: .failed,
                                   error: ProviderError(.provider, "Stability AI returned no usable image (\(failed) ended with ERROR)"))
        }
        if filtered + failed > 0 {
            host.log(.warning, "Stability AI: kept \(kept.count) image(s), dropped \(filtered) blurred by the content filter and \(failed) with ERROR")
        }
        return StabilityJobRef(requestID: requestID, images: kept, state: .succeeded)
    }

    // MARK: v2beta

    func v2Form(_ r: GenerationRequest, route: StabilityRoute) -> MultipartFormData {
        var form = MultipartFormData()
        form.append("prompt", r.prompt)
        if let negative = r.negativePrompt, !negative.isEmpty { form.append("negative_prompt", negative) }
        form.append("aspect_ratio", StabilityDimensions.nearestRatio(width: r.width, height: r.height))
        if let seed = r.seed { form.append("seed", String(min(seed, 4_294_967_294))) }
        form.append("output_format", outputFormat)
        if case .sd3(let model) = route {
            form.append("model", model)
            form.append("mode", "text-to-image")
            if let g = r.guidanceScale { form.append("cfg_scale", String(min(max(g, 1), 10))) }
        }
        if let style = r.options["style_preset"]?.string { form.append("style_preset", style) }
        return form
    }

    func v2Result(_ response: HostServices.HTTPResponse, purpose: String) throws(ProviderError) -> StabilityJobRef {
        let requestID = response.header("x-request-id")
        let bytes: [UInt8]
        let finish: String?
        let seed: UInt32?
        if response.header("content-type")?.hasPrefix("application/json") ?? false {
            let value = try client.json(response, intent: .create, purpose: purpose)
            guard let b64 = value["image"]?.string, let data = Data(base64Encoded: b64) else {
                return StabilityJobRef(requestID: requestID, images: [], state: .failed,
                                       error: ProviderError(.provider, "Stability AI answered without a valid base64 image"))
            }
            bytes = [UInt8](data)
            finish = value["finish_reason"]?.string
            seed = value["seed"]?.number.map { UInt32(clamping: Int64($0)) }
        } else {
            bytes = response.body
            finish = response.header("finish-reason")
            seed = response.header("seed").flatMap { UInt32($0) }
        }
        if finish == "CONTENT_FILTERED" { return outcome(kept: [], filtered: 1, failed: 0, requestID: requestID) }
        if let finish, finish != "SUCCESS" { return outcome(kept: [], filtered: 0, failed: 1, requestID: requestID) }
        do {
            let format = try EncodedImage.validated(bytes, what: "the image from Stability AI")
            let image = StabilityJobRef.Image(base64: Data(bytes).base64EncodedString(), mime: format.mime, seed: seed)
            return StabilityJobRef(requestID: requestID, images: [image], state: .succeeded)
        } catch {
            return StabilityJobRef(requestID: requestID, images: [], state: .failed, error: error)
        }
    }

    // MARK: poll, fetch, cancel, balance

    public func poll(_ ref: JSONValue) throws(ProviderError) -> PollResult {
        try StabilityJobRef(ref).pollResult
    }

    public func fetch(_ refValue: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        let ref = try StabilityJobRef(refValue)
        guard ref.state == .succeeded, ref.images.indices.contains(index) else {
            throw ProviderError(.invalidRequest, "this Stability AI job has \(ref.images.count) image(s) (\(ref.state.rawValue)); there is no output \(index)")
        }
        guard let data = Data(base64Encoded: ref.images[index].base64) else {
            throw ProviderError(.internal, "output \(index) in the job reference is not valid base64")
        }
        return [UInt8](data)
    }

    public func cancel(_ ref: JSONValue) throws(ProviderError) {
        // Generations are synchronous and already over when a reference exists.
    }

    /// `GET /v1/user/balance` → credits (1 credit = $0.01).
    public func balance() throws(ProviderError) -> Balance? {
        let purpose = "read the account balance"
        let response = try client.send("GET", "/v1/user/balance", intent: .read, purpose: purpose)
        try client.check(response, intent: .read, purpose: purpose)
        guard let credits = try client.json(response, intent: .read, purpose: purpose)["credits"]?.number else {
            throw ProviderError(.provider, "Stability AI's balance answer has no credits field")
        }
        return Balance(credits: credits, unit: "credits")
    }
}

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(StabilityProvider.self, host: host)
}
