import Foundation
import Catalog
import Synchronization
import HTTPServer
import Operations
import Pipeline
import Operations

/// What the HTTP endpoints work with: the generation service (runtime, catalog, health), the
/// runner, the plugin-folder watcher, the waiters of `wait` requests and the metrics. The
/// endpoints themselves are in the `ServerAPI+…` files; `APIRoutes` maps paths to them.
final class ServerAPI: Sendable {
    let service: GenerationService
    let catalog: ServerCatalog
    let runner: JobRunner
    let watcher: PluginFolderWatcher
    let templates: TemplateStore
    let completions: JobCompletionWaiter
    let metrics: ServerMetrics
    /// Builds `GET /v1/stats`. Bound by whoever opened the catalog: the report reads generation
    /// records no port protocol covers yet, so the API never names the concrete store.
    let statsReport: StatsReportSource
    /// Renders derivatives on `POST /v1/images/{id}/process` (nil without libvips).
    let postProcessor: PostProcessor?
    /// Carries out `POST /v1/takedowns` (nil when the host could not build it: the reason is logged).
    let takedowns: TakedownService?
    /// Serves image files this host does not hold from the bucket (nil: local-only host).
    let objectImages: ObjectStoreImages?
    /// Set when shutdown begins: new generations are refused with 503, `/healthz` says so.
    let draining = Atomic<Bool>(false)
    /// The HTTP server, for its statistics in `/metrics` (set once it exists).
    let http = Mutex<HTTPServer?>(nil)
    /// What the web app's Plan and Operations pages read beyond the catalog (set once it exists).
    let webAppLinks = Mutex<WebAppLinks?>(nil)
    /// Who may call: credentials required or not, cookie flags, the login throttle.
    let access: ServerAccess
    /// Recent job and image changes, for `GET /v1/events` and the webhooks.
    let events = EventHub()
    /// Held-open `GET /v1/events` streams (the limit is set from `server.max_connections`).
    let eventStreams = EventStreamSlots(limit: 128)
    /// Milliseconds between heartbeat comments on a quiet event stream (tests shorten it).
    let eventHeartbeatMilliseconds = Atomic<Int>(15_000)
    /// The `GET /v1/models` answer for the current plugin set (rebuilt when it changes).
    let modelsCache = Mutex<(version: Int, response: HTTPResponse)?>(nil)

    init(service: GenerationService, catalog: ServerCatalog, runner: JobRunner, watcher: PluginFolderWatcher,
         templates: TemplateStore, metrics: ServerMetrics, statsReport: @escaping StatsReportSource,
         postProcessor: PostProcessor? = nil, takedowns: TakedownService? = nil, objectImages: ObjectStoreImages? = nil,
         access: ServerAccess = ServerAccess()) {
        self.objectImages = objectImages
        self.service = service
        self.catalog = catalog
        self.runner = runner
        self.watcher = watcher
        self.templates = templates
        self.metrics = metrics
        self.statsReport = statsReport
        self.postProcessor = postProcessor
        self.access = access
        self.takedowns = takedowns
        self.completions = JobCompletionWaiter(catalog: catalog, runner: runner)
    }

    var runtime: HostRuntime { service.runtime }
    var isDraining: Bool { draining.load(ordering: .relaxed) }

    /// Runs a handler body that may throw anything, answering errors in the API's shape.
    func answer(_ body: () async throws -> HTTPResponse) async -> HTTPResponse {
        do {
            return try await body()
        } catch {
            let e = APIError.from(error)
            if e.status.code >= 500 { runtime.log.error("API: \(e.code): \(e.message)") }
            return e.response
        }
    }
}
