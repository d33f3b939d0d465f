import ImagegenCore
import Synchronization
import HTTPServer
import Security

/// The API's paths. Each route is counted in `imagegen_http_requests_total` under its pattern
/// (`/v1/jobs/{id}`, never the raw path, so the label set stays bounded); requests no route
/// matched count as `unmatched`.
extension ServerAPI {
    static let routes: [(HTTPMethod, String)] = [
        (.get, "/healthz"), (.get, "/metrics"),
        (.get, "/v1/models"), (.get, "/v1/plugins"), (.post, "/v1/plugins/reload"), (.get, "/v1/health"),
        (.post, "/v1/generations"), (.get, "/v1/jobs"), (.get, "/v1/jobs/{id}"), (.delete, "/v1/jobs/{id}"),
        (.get, "/v1/images"), (.get, "/v1/images/{id}"), (.get, "/v1/images/{id}/file"), (.post, "/v1/images/{id}/process"),
        (.post, "/v1/images/{id}/vary"), (.post, "/v1/images/{id}/upscale"),
        (.post, "/v1/images/{id}/rating"), (.post, "/v1/images/{id}/reservation"), (.delete, "/v1/images/{id}/reservation"),
        (.post, "/v1/images/{id}/approve"), (.post, "/v1/images/{id}/reject"), (.post, "/v1/images/review"),
        (.post, "/v1/images/{id}/release"),
        (.get, "/v1/session"), (.post, "/v1/session"), (.delete, "/v1/session"),
        (.get, "/v1/users"), (.post, "/v1/users"), (.post, "/v1/users/{name}"),
        (.get, "/v1/users/{name}/export"), (.post, "/v1/erasures"),
        (.get, "/v1/costs"), (.get, "/v1/stats"), (.get, "/v1/events"), (.post, "/v1/takedowns"), (.get, "/v1/takedowns"),
        (.get, "/v1/hosts"),
    ]

    func endpoint(_ method: HTTPMethod, _ pattern: String) -> HTTPHandler {
        switch (method, pattern) {
        case (.get, "/healthz"): return { [self] in healthz($0) }
        case (.get, "/metrics"): return { [self] in await metricsText($0) }
        case (.get, "/v1/models"): return { [self] in await listModels($0) }
        case (.get, "/v1/plugins"): return { [self] in await listPlugins($0) }
        case (.post, "/v1/plugins/reload"): return { [self] in await reloadPlugins($0) }
        case (.get, "/v1/health"): return { [self] in await healthReport($0) }
        case (.post, "/v1/generations"): return { [self] in await createGeneration($0) }
        case (.get, "/v1/jobs"): return { [self] in await listJobs($0) }
        case (.get, "/v1/jobs/{id}"): return { [self] in await showJob($0) }
        case (.delete, "/v1/jobs/{id}"): return { [self] in await cancelJob($0) }
        case (.get, "/v1/images"): return { [self] in await listImages($0) }
        case (.get, "/v1/images/{id}"): return { [self] in await showImage($0) }
        case (.get, "/v1/images/{id}/file"): return { [self] in await imageFile($0) }
        case (.post, "/v1/images/{id}/process"): return { [self] in await processImage($0) }
        case (.post, "/v1/images/{id}/vary"): return { [self] in await deriveImage($0, kind: .vary) }
        case (.post, "/v1/images/{id}/upscale"): return { [self] in await deriveImage($0, kind: .upscale) }
        case (.post, "/v1/images/{id}/rating"): return { [self] in await rateImage($0) }
        case (.post, "/v1/images/{id}/reservation"): return { [self] in await reserveImage($0) }
        case (.delete, "/v1/images/{id}/reservation"): return { [self] in await releaseImage($0) }
        case (.post, "/v1/images/{id}/approve"): return { [self] in await approveImage($0) }
        case (.post, "/v1/images/{id}/reject"): return { [self] in await rejectImage($0) }
        case (.post, "/v1/images/{id}/release"): return { [self] in await releaseQuarantinedImage($0) }
        case (.post, "/v1/images/review"): return { [self] in await reviewImages($0) }
        case (.get, "/v1/session"): return { [self] in await showSession($0) }
        case (.post, "/v1/session"): return { [self] in await login($0) }
        case (.delete, "/v1/session"): return { [self] in await logout($0) }
        case (.get, "/v1/users"): return { [self] in await listUsers($0) }
        case (.post, "/v1/users"): return { [self] in await addUser($0) }
        case (.post, "/v1/users/{name}"): return { [self] in await changeUser($0) }
        case (.get, "/v1/users/{name}/export"): return { [self] in await exportUser($0) }
        case (.post, "/v1/erasures"): return { [self] in await eraseUser($0) }
        case (.get, "/v1/costs"): return { [self] in await costs($0) }
        case (.get, "/v1/stats"): return { [self] in await stats($0) }
        case (.get, "/v1/events"): return { [self] in await streamEvents($0) }
        case (.post, "/v1/takedowns"): return { [self] in await createTakedown($0) }
        case (.get, "/v1/takedowns"): return { [self] in await listTakedowns($0) }
        case (.get, "/v1/hosts"): return { [self] in await listHosts($0) }
        default: preconditionFailure("no endpoint for \(method) \(pattern)")
        }
    }

    /// The handler to give to `HTTPServer`, and what it answers on the socket thread (`loopEndpoint`).
    var handlers: (handler: HTTPHandler, loopResponder: HTTPLoopResponder?) {
        var router = HTTPRouter()
        for (method, pattern) in ServerAPI.routes {
            let endpoint = endpoint(method, pattern)
            let onLoop = loopEndpoint(method, pattern).map { answerOnLoop(pattern, $0) }
            router.add(method, pattern, onLoop: onLoop) { [self] request in
                MatchedRoute.slot?.set(pattern)
                let identity = RequestIdentity.current ?? identify(request)
                if let refusal = refusal(request, pattern: pattern, identity: identity) { return refusal }
                return await endpoint(request)
            }
        }
        addWebApp(to: &router)
        let routed = router.handler
        let metrics = self.metrics
        let security = runtime.security
        let handler: HTTPHandler = { [self] request in
            let slot = MatchedRoute()
            let started = ContinuousClock.now
            // Who is calling: the configured name of the bearer token the server matched (never
            // the token), or a loopback client when no token is set. Everything the request does
            // (enqueue, cancel) is audited, and counted against `quotas.api_tokens`, under it.
            // A signed-in person is audited as `user:<name>`.
            let identity = identify(request)
            let caller = ServerAPI.caller(for: identity, bearerTokenName: request.bearerTokenName)
            // What the request changed is audited on disk before the response acknowledges it.
            let response = await security.audit.acknowledging {
                await Caller.$current.withValue(caller) {
                    let response = await RequestIdentity.$current.withValue(identity) {
                        await MatchedRoute.$slot.withValue(slot) { await routed(request) }
                    }
                    ServerAPI.audit(request, status: response.status.code, security: security)
                    return response
                }
            }
            let elapsed = ContinuousClock.now - started
            let seconds = elapsed.seconds
            metrics.recordRequest(route: slot.pattern ?? "unmatched", code: response.status.code, seconds: seconds)
            return response
        }
        return (handler, router.loopResponder)
    }

    /// The request's audit entry, under the effective caller. Liveness probes and metric scrapes
    /// are not audited: they would drown the log.
    static func audit(_ request: HTTPRequest, status: Int, security: HostSecurity) {
        if request.path != "/healthz" && request.path != "/metrics" {
            security.recordAPICall(method: request.method.rawValue, path: request.path, status: status)
        }
    }
}

/// Which route pattern answered a request, written by the route and read by the counter
/// around the router (a task-local, because the router does not say which route matched).
final class MatchedRoute: Sendable {
    @TaskLocal static var slot: MatchedRoute?
    private let value = Mutex<String?>(nil)
    func set(_ pattern: String) { value.withLock { $0 = pattern } }
    var pattern: String? { value.withLock { $0 } }
}
