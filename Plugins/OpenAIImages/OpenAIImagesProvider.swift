import Foundation
import PluginKit

/// OpenAI's Images API (`POST /v1/images/generations`) for the GPT image models.
///
/// Generation is synchronous and answers base64 images (the GPT image models return no URLs),
/// so `submit` holds the request open until the images exist and puts them, with the token
/// usage, into the job reference; `poll` and `fetch` make no request. There is no task id and
/// no cancel: a job past its deadline is cut off by the request timeout derived from it.
///
/// Price: OpenAI bills tokens (text and image input, image output). The plugin reports the
/// response's `usage` and describes its models with a `per_million_tokens` rule at OpenAI's
/// published prices, so the host's cost is exact for what OpenAI counted.
///
/// Content: OpenAI's usage policies restrict sexual content and its moderation has no off
/// switch (`moderation: "low"` only lowers it): `nsfw_allowed: false`, safe-for-work only.
/// A `moderation_blocked` refusal ends the job as content filtered.
///
/// Config (`providers.openai`): `base_url` (https://api.openai.com/v1), `secret_name`
/// (OPENAI_API_KEY), `quality` (low | medium | high | auto, medium), `output_format`
/// (png | jpeg | webp, png), `moderation` (auto | low, auto), `timeout_ms` (300000),
/// `organization` / `project` (sent as OpenAI-Organization / OpenAI-Project).
public struct OpenAIImagesProvider: ImageProvider {
    public static let description = PluginDescription(
        id: "openai", name: "OpenAI", version: "1.0.0", nsfwAllowed: false,
        secrets: ["OPENAI_API_KEY"],
        models: [
            // USD per million tokens. gpt-image-2: text in $5, image in $8, image out $30;
            // ≈ $0.053 per 1024² at medium quality → ≈ 1685 output tokens per megapixel.
            .init(name: "gpt-image-2", providerModel: "gpt-image-2",
                  price: .perMillionTokens(TokenPrices(textInput: 5, imageInput: 8, imageOutput: 30,
                                                       expectedOutputTokensPerMegapixel: 1685)),
                  capabilities: ["text-to-image", "image-to-image"],
                  limits: ["min_size": 256, "max_size": 3840, "max_outputs": 4]),
            // gpt-image-1: text in $5, image in $10, image out $40; medium 1024² = 1056 tokens.
            .init(name: "gpt-image-1", providerModel: "gpt-image-1",
                  price: .perMillionTokens(TokenPrices(textInput: 5, imageInput: 10, imageOutput: 40,
                                                       expectedOutputTokensPerMegapixel: 1007)),
                  capabilities: ["text-to-image", "image-to-image"],
                  limits: ["min_size": 256, "max_size": 1536, "max_outputs": 4]),
        ])

    let client: ProviderClient
    let host: HostServices
    let quality: String
    let outputFormat: String
    let moderation: String
    let organization: String?
    let project: String?

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {
        let c = ProviderConfig(config, pluginID: "openai")
        client = ProviderClient(
            host: host, provider: "OpenAI",
            baseURL: try c.baseURL(default: "https://api.openai.com/v1") ?? "https://api.openai.com/v1",
            auth: .init(header: "Authorization", scheme: "Bearer",
                        secretName: try c.string("secret_name", default: "OPENAI_API_KEY") ?? "OPENAI_API_KEY"),
            timeoutMilliseconds: try c.int("timeout_ms", default: 300_000, range: 1_000...900_000) ?? 300_000,
            describeError: OpenAIImagesProvider.describeError)
        self.host = host
        quality = try c.choice("quality", ["low", "medium", "high", "auto"], default: "medium")
        outputFormat = try c.choice("output_format", ["png", "jpeg", "webp"], default: "png")
        moderation = try c.choice("moderation", ["auto", "low"], default: "auto")
        organization = try c.string("organization")
        project = try c.string("project")
    }

    /// `{"error": {"message", "type", "param", "code"}}`. A 401's message quotes the key that
    /// was sent (masked, but still part of it): that part is left out, so no piece of a key
    /// reaches a log or a job record.
    static func describeError(_ r: HostServices.HTTPResponse) -> String? {
        guard let e = r.json?["error"] else { return r.text.isEmpty ? nil : r.text }
        let code = e["code"]?.string ?? e["type"]?.string
        var message = e["message"]?.string
        if code == "invalid_api_key" || (message?.contains("API key provided") ?? false) {
            message = "Incorrect API key provided"
        }
        switch (message, code) {
        case let (m?, c?): return "\(m) (\(c))"
        case let (m?, nil): return m
        case let (nil, c?): return c
        default: return r.text
        }
    }

    /// OpenAI's documented cases that the status alone misclassifies: `moderation_blocked`
    /// (400) is a content decision, and a 429 `insufficient_quota` is an empty account, not
    /// throttling (retrying it only fails again).
    static func override(_ r: HostServices.HTTPResponse, _ detail: String?) -> ProviderStatus? {
        let code = r.json?["error"]?["code"]?.string ?? r.json?["error"]?["type"]?.string
        if code == "moderation_blocked" || code == "content_policy_violation" { return .contentFiltered }
        if r.status == 429, code == "insufficient_quota" || code == "billing_hard_limit_reached" { return .quota }
        return nil
    }

    // MARK: submit

    public func submit(_ request: GenerationRequest) throws(ProviderError) -> PollResult {
        try client.requireKey()
        var timeout = client.timeoutMilliseconds
        if let deadline = request.deadlineMs {
            let left = deadline - host.nowMilliseconds()
            guard left > 0 else {
                throw ProviderError(.timeout, "OpenAI: job \(request.jobID) reached its deadline before it was sent; nothing was sent")
            }
            timeout = min(timeout, Int(left))
        }
        let (w, h) = OpenAISize.size(model: request.model, width: request.width, height: request.height)
        if (w, h) != (request.width, request.height) {
            host.log(.info, "job \(request.jobID): \(request.width)×\(request.height) is not a size \(request.model) accepts; using \(w)×\(h)")
        }
        if !(request.negativePrompt?.isEmpty ?? true) {
            host.log(.info, "job \(request.jobID): the GPT image models have no negative prompt; sent without it")
        }
        var body: [String: JSONValue] = [
            "model": .string(request.model), "prompt": .string(request.prompt),
            "n": .number(Double(min(max(request.numOutputs, 1), 4))), "size": .string("\(w)x\(h)"),
            "quality": .string(quality), "output_format": .string(outputFormat), "moderation": .string(moderation),
        ]
        for (k, v) in request.options where ["background", "output_compression"].contains(k) { body[k] = v }
        var headers: [(String, String)] = []
        if let organization { headers.append(("OpenAI-Organization", organization)) }
        if let project { headers.append(("OpenAI-Project", project)) }

        let purpose: String, path: String, payload: [UInt8]
        switch request.kind {
        case .generate:
            (purpose, path, payload) = ("generate with \(request.model)", "/images/generations", [UInt8](JSONValue.object(body).encoded()))
            headers.append(("Content-Type", "application/json"))
        case .vary:
            let form = try editForm(request, fields: body)
            (purpose, path, payload) = ("vary with \(request.model)", "/images/edits", form.body)
            headers.append(("Content-Type", form.contentType))
        case .upscale:
            throw ProviderError(.unsupported, "OpenAI's images API has no upscaling; use a model that declares upscale")
        }
        let response = try client.send("POST", path, intent: .create, purpose: purpose, headers: headers,
                                       body: payload, timeoutMilliseconds: timeout)
        try check(response, purpose: purpose)
        let ref = try result(response, purpose: purpose)
        host.log(.info, "job \(request.jobID): OpenAI \(request.model) → \(ref.state.rawValue), \(ref.images.count) image(s)"
                 + (ref.usage.map { ", \($0.outputImageTokens) output tokens" } ?? "")
                 + (ref.requestID.map { " (request \($0))" } ?? ""))
        return ref.pollResult
    }

    func check(_ response: HostServices.HTTPResponse, purpose: String) throws(ProviderError) {
        guard !(200...299).contains(response.status) else { return }
        let resetHint = Self.resetMilliseconds(response.header("x-ratelimit-reset-requests"))
        var e = client.error(for: response, intent: .create, purpose: purpose, override: Self.override,
                             defaultRetryAfterMilliseconds: resetHint)
        if e.status == .contentFiltered { e.message += "; OpenAI's moderation refused it (its terms allow safe-for-work content only)" }
        throw e
    }

    /// OpenAI's `x-ratelimit-reset-*` durations ("1s", "6m0s", "120ms"), for a 429 without Retry-After.
    static func resetMilliseconds(_ text: String?) -> Int? {
        guard let text, !text.isEmpty else { return nil }
        var total = 0.0, number = "", i = text.startIndex
        while i < text.endIndex {
            let ch = text[i]
            if ch.isNumber || ch == "." { number.append(ch); i = text.index(after: i); continue }
            var unit = String(ch)
            let next = text.index(after: i)
            if ch == "m", next < text.endIndex, text[next] == "s" { unit = "ms"; i = text.index(after: next) } else { i = next }
            guard let v = Double(number) else { return nil }
            total += v * (["h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1][unit] ?? 0)
            number = ""
        }
        return number.isEmpty ? Int(total.rounded(.up)) : nil
    }

    /// Reads the 200 answer: every image whole (a truncated one fails the job), usage kept.
    func result(_ response: HostServices.HTTPResponse, purpose: String) throws(ProviderError) -> OpenAIJobRef {
        let value = try client.json(response, intent: .create, purpose: purpose)
        let requestID = response.header("x-request-id")
        let usage = Self.usage(value["usage"])
        let mime = "image/" + (value["output_format"]?.string ?? outputFormat)
        guard let data = value["data"]?.array, !data.isEmpty else {
            return OpenAIJobRef(requestID: requestID, images: [], mime: mime, usage: usage, state: .failed,
                                error: ProviderError(.provider, "OpenAI answered the request to \(purpose) without images"))
        }
        var images: [String] = []
        for (i, item) in data.enumerated() {
            let what = "image \(i) from OpenAI"
            guard let b64 = item["b64_json"]?.string, let bytes = Data(base64Encoded: b64) else {
                return OpenAIJobRef(requestID: requestID, images: [], mime: mime, usage: usage, state: .failed,
                                    error: ProviderError(.provider, "\(what) is not valid base64"))
            }
            do {
                _ = try EncodedImage.validated([UInt8](bytes), what: what)
            } catch {
                return OpenAIJobRef(requestID: requestID, images: [], mime: mime, usage: usage, state: .failed, error: error)
            }
            images.append(b64)
        }
        return OpenAIJobRef(requestID: requestID, images: images, mime: mime, usage: usage, state: .succeeded)
    }

    /// The response's `usage` as the host's token counts: input split into text and image
    /// tokens, output into image and (newer models) text tokens.
    static func usage(_ u: JSONValue?) -> TokenUsage? {
        guard let u, let input = u["input_tokens"]?.int, let output = u["output_tokens"]?.int else { return nil }
        let inImage = u["input_tokens_details"]?["image_tokens"]?.int ?? 0
        let inText = u["input_tokens_details"]?["text_tokens"]?.int ?? (input - inImage)
        let outText = u["output_tokens_details"]?["text_tokens"]?.int ?? 0
        let outImage = u["output_tokens_details"]?["image_tokens"]?.int ?? (output - outText)
        return TokenUsage(inputTextTokens: inText, inputImageTokens: inImage, outputImageTokens: outImage, outputTextTokens: outText)
    }

    // MARK: poll, fetch, cancel

    public func poll(_ ref: JSONValue) throws(ProviderError) -> PollResult {
        try OpenAIJobRef(ref).pollResult
    }

    public func fetch(_ refValue: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        let ref = try OpenAIJobRef(refValue)
        guard ref.state == .succeeded, ref.images.indices.contains(index) else {
            throw ProviderError(.invalidRequest, "this OpenAI job has \(ref.images.count) image(s) (\(ref.state.rawValue)); there is no output \(index)")
        }
        guard let data = Data(base64Encoded: ref.images[index]) else {
            throw ProviderError(.internal, "output \(index) in the job reference is not valid base64")
        }
        return [UInt8](data)
    }

    public func cancel(_ ref: JSONValue) throws(ProviderError) {
        // Generations are synchronous and already over when a reference exists.
    }
}

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(OpenAIImagesProvider.self, host: host)
}
