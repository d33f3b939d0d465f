import Foundation
import PluginKit

/// Midjourney, through a wrapper API. There is no official API; two wrapper dialects are
/// spoken: the midjourney-proxy task protocol (default; self-hosted proxies and the gateways
/// that copy it) and useapi.net v3.
///
/// Images: Midjourney renders a 2×2 grid. Where the wrapper hands out the four single images
/// (`imageUrls` in newer proxy forks, `imageUx` at useapi.net) those are the outputs; where it
/// gives only the grid, the grid is the one output — splitting it would mean decoding and
/// re-encoding an image inside the plugin, which is the host's job (libvips), not a plugin's.
///
/// `images vary` / `images upscale` of an image this plugin made are Midjourney's V/U actions
/// on its task (midjourney-proxy only; see `MidjourneyProvider+Derived.swift`).
///
/// Config (`providers.midjourney`): `dialect` ("midjourney-proxy" | "useapi-v3"), `base_url`
/// (required for the proxy; https://api.useapi.net for useapi), `auth_header` (mj-api-secret
/// for the proxy, Authorization for useapi), `auth_scheme` ("Bearer" with Authorization, else
/// none; "" for none), `secret_name` (MIDJOURNEY_API_KEY), `cancel_path` (proxy:
/// /mj/task/{id}/cancel; null for none), `channel` (useapi), `poll_interval_ms`, `timeout_ms`.
public struct MidjourneyProvider: ImageProvider {
    public static let description = PluginDescription(
        id: "midjourney", name: "Midjourney (wrapper API)", version: "1.0.0", nsfwAllowed: false,
        secrets: ["MIDJOURNEY_API_KEY"],
        models: [
            .init(name: "midjourney-v5", providerModel: "5.2", price: .perImage(0.10),
                  capabilities: ["text-to-image", "image-to-image", "upscale"], limits: ["min_size": 256, "max_size": 2048, "max_outputs": 4]),
            .init(name: "midjourney-v6", providerModel: "6.0", price: .perImage(0.12),
                  capabilities: ["text-to-image", "image-to-image", "upscale"], limits: ["min_size": 256, "max_size": 2048, "max_outputs": 4]),
        ])

    let client: ProviderClient
    let dialect: any MidjourneyDialect
    let host: HostServices

    public init(config: JSONValue, host: HostServices) throws(ProviderError) {
        let c = ProviderConfig(config, pluginID: "midjourney")
        let dialectName = try c.choice("dialect", ["midjourney-proxy", "useapi-v3"], default: "midjourney-proxy")
        let isProxy = dialectName == "midjourney-proxy"
        guard let base = try c.baseURL(default: isProxy ? nil : "https://api.useapi.net") else {
            throw ProviderError(.invalidRequest, "providers.midjourney.base_url is required for the midjourney-proxy dialect: "
                                + "set it to your proxy's address (e.g. http://127.0.0.1:8080), or set dialect to \"useapi-v3\"")
        }
        let header = try c.string("auth_header", default: isProxy ? "mj-api-secret" : "Authorization") ?? "Authorization"
        var scheme = try c.string("auth_scheme", default: header.lowercased() == "authorization" ? "Bearer" : nil)
        if scheme?.isEmpty ?? false { scheme = nil }
        client = ProviderClient(
            host: host, provider: isProxy ? "Midjourney proxy" : "useapi.net (Midjourney)", baseURL: base,
            auth: .init(header: header, scheme: scheme,
                        secretName: try c.string("secret_name", default: "MIDJOURNEY_API_KEY") ?? "MIDJOURNEY_API_KEY"),
            timeoutMilliseconds: try c.int("timeout_ms", default: 30_000, range: 1_000...600_000) ?? 30_000,
            describeError: MidjourneyProvider.describeError)
        self.host = host
        if isProxy {
            let cancel: String? = c.values["cancel_path"]?.isNull == true ? nil
                : try c.string("cancel_path", default: "/mj/task/{id}/cancel")
            dialect = MidjourneyProxyDialect(client: client, cancelPath: cancel,
                                             pollInterval: try c.int("poll_interval_ms", default: 5_000, range: 10...120_000) ?? 5_000)
        } else {
            dialect = UseAPIDialect(client: client, channel: try c.string("channel"),
                                    pollInterval: try c.int("poll_interval_ms", default: 15_000, range: 10...120_000) ?? 15_000)
        }
    }

    /// Wrappers answer errors as `{code, description}` (proxy) or `{error, code}` (useapi).
    static func describeError(_ r: HostServices.HTTPResponse) -> String? {
        guard let j = r.json else { return r.text.isEmpty ? nil : r.text }
        return j["error"]?.string ?? j["description"]?.string ?? j["message"]?.string ?? r.text
    }

    // MARK: submit

    public func submit(_ request: GenerationRequest) throws(ProviderError) -> PollResult {
        guard Double(request.model) != nil else {
            throw ProviderError(.invalidRequest, "midjourney: \"\(request.model)\" is not a Midjourney version (use 5.2, 6.0, ...)")
        }
        try client.requireKey()
        if request.kind != .generate { return try derive(request) }
        let prompt = MidjourneyPrompt.build(request, version: request.model)
        let task = try dialect.submit(prompt: prompt, jobID: request.jobID)
        host.log(.info, "job \(request.jobID): \(dialect.name) task \(task.id) \(task.status)")
        let ref = MidjourneyJobRef(dialect: dialect.name, id: task.id, deadlineMs: request.deadlineMs,
                                   wanted: max(1, min(request.numOutputs, 4)))
        return result(task, ref: ref)
    }

    // MARK: poll

    public func poll(_ refValue: JSONValue) throws(ProviderError) -> PollResult {
        let ref = try MidjourneyJobRef(refValue, expecting: dialect.name)
        let task = try dialect.read(ref.id)
        if !task.isTerminal, let deadline = ref.deadlineMs, host.nowMilliseconds() >= deadline {
            var note = "cancelled at the wrapper"
            do {
                try dialect.cancel(ref.id)
            } catch {
                note = "the wrapper could not cancel it (\(error.message))"
                host.log(.warning, "task \(ref.id): \(note)")
            }
            return PollResult(state: .failed, ref: ref.json,
                              error: ProviderError(.timeout, "Midjourney task \(ref.id) was still \(task.status) at its deadline; \(note)"))
        }
        return result(task, ref: ref)
    }

    func result(_ task: MidjourneyTask, ref: MidjourneyJobRef) -> PollResult {
        var ref = ref
        let pastDeadline = ref.deadlineMs.map { host.nowMilliseconds() >= $0 } ?? false
        switch task.phase {
        case .queued:
            return PollResult(state: .queued, ref: ref.json, progress: task.progress, nextPollMilliseconds: dialect.pollInterval)
        case .running:
            return PollResult(state: .running, ref: ref.json, progress: task.progress, nextPollMilliseconds: dialect.pollInterval)
        case .succeeded:
            let urls = task.imageURLs.isEmpty ? (task.gridURL.map { [$0] } ?? []) : Array(task.imageURLs.prefix(ref.wanted))
            guard !urls.isEmpty else {
                return PollResult(state: .failed, ref: ref.json,
                                  error: ProviderError(.provider, "Midjourney task \(task.id) succeeded without any image URL"))
            }
            if task.imageURLs.isEmpty, ref.wanted > 1 {
                host.log(.info, "task \(task.id): the wrapper gives only the 2×2 grid; it is the one output")
            }
            ref.outputs = urls
            ref.gridOnly = task.imageURLs.isEmpty
            return PollResult(state: .succeeded, ref: ref.json, progress: 1,
                              outputs: urls.indices.map { PollResult.Output(index: $0, mime: Self.mime(of: urls[$0])) })
        case .cancelled where pastDeadline:
            return PollResult(state: .failed, ref: ref.json,
                              error: ProviderError(.timeout, "Midjourney task \(task.id) did not finish before its deadline and was cancelled"))
        case .cancelled:
            return PollResult(state: .cancelled, ref: ref.json, error: ProviderError(.cancelled, "Midjourney task \(task.id) was cancelled"))
        case .failed(let error):
            return PollResult(state: error.status == .contentFiltered ? .contentFiltered : .failed, ref: ref.json, error: error)
        }
    }

    static func mime(of url: String) -> String {
        let path = url.split(separator: "?").first.map(String.init)?.lowercased() ?? ""
        if path.hasSuffix(".webp") { return "image/webp" }
        if path.hasSuffix(".jpg") || path.hasSuffix(".jpeg") { return "image/jpeg" }
        return "image/png"
    }

    // MARK: fetch, cancel

    public func fetch(_ refValue: JSONValue, index: Int) throws(ProviderError) -> [UInt8] {
        var ref = try MidjourneyJobRef(refValue, expecting: dialect.name)
        if ref.outputs == nil {
            let r = try poll(refValue)
            guard r.state == .succeeded, let updated = r.ref else {
                throw ProviderError(.invalidRequest, "Midjourney task \(ref.id) has no images to fetch (it is \(r.state.rawValue))")
            }
            ref = try MidjourneyJobRef(updated, expecting: dialect.name)
        }
        let outputs = ref.outputs ?? []
        guard outputs.indices.contains(index) else {
            throw ProviderError(.invalidRequest, "Midjourney task \(ref.id) has \(outputs.count) image(s); there is no output \(index)")
        }
        let what = "image \(index) of Midjourney task \(ref.id)"
        // Images usually sit on Discord's or Midjourney's CDN: the key only goes to the wrapper itself.
        let response = try client.send("GET", outputs[index], intent: .read, purpose: "download \(what)",
                                       authenticated: client.isOwnHost(outputs[index]))
        if [403, 404, 410].contains(response.status) {
            throw ProviderError(.notFound, "\(what) is gone (HTTP \(response.status)): CDN links are signed and expire; "
                                + "generate the image again")
        }
        try client.check(response, intent: .read, purpose: "download \(what)")
        _ = try EncodedImage.validated(response.body, what: what)
        return response.body
    }

    public func cancel(_ refValue: JSONValue) throws(ProviderError) {
        let ref = try MidjourneyJobRef(refValue, expecting: dialect.name)
        try dialect.cancel(ref.id)
        host.log(.info, "task \(ref.id): cancel requested")
    }
}

@_cdecl("imagegen_plugin_entry_v1")
public func imagegen_plugin_entry_v1(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
    PluginExport.entry(MidjourneyProvider.self, host: host)
}
