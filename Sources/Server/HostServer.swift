import Foundation
import Composition
import Synchronization
import HTTPServer
import ImagegenConfig
import ImagegenCore
import Operations
import Pipeline
import Security

/// `imagegen serve`: the long-running host. It holds the data folder's runner lock, runs the
/// job queue, serves the HTTP API and keeps the plugins in step with their folder.
///
/// ```swift
/// let server = try HostServer(paths: HostPaths(), log: Log())
/// try await server.start()
/// …                               // SIGTERM arrives
/// await server.stop()             // refuse new work, finish or park jobs, close
/// ```
///
/// Shutdown order: new generations are refused (503), the plugin watcher stops, the HTTP
/// listener closes while in-flight requests finish, and the runner gives in-flight jobs the
/// grace period; what is still unfinished then stays in the catalog in its committed state
/// and resumes on the next start (polling, never submitting twice).
package final class HostServer: Sendable {
    package let settings: ServerSettings
    /// Built by the composition root the CLI and the library use too: same checks, same order.
    package let composition: HostComposition
    package let runtime: HostRuntime
    /// The composition's catalog, through its ports.
    package let catalog: EntryCatalog
    package let service: GenerationService
    package let runner: JobRunner
    package let watcher: PluginFolderWatcher
    package let templates: TemplateStore
    package let metrics: ServerMetrics
    /// Plans, alerts and metrics from finished jobs.
    package let operations: OperationsLoop
    /// Uploads to cloud storage and daily backups (nothing runs in local-only mode).
    package let storage: StorageBackgroundTasks
    /// Whether this host runs the singletons (always, on a SQLite catalog; one host of those
    /// sharing a PostgreSQL catalog).
    package let singleton: SingletonGate
    /// Renders the derivatives of new originals and works through the backlog (nil without libvips).
    package let postProcessing: PostProcessingQueue?
    let api: ServerAPI
    let http: HTTPServer
    /// Durable, signed deliveries of job and image events (nil when no `server.webhooks`).
    let webhooks: WebhookOutbox?
    let lock: RunnerLock
    /// Tells the other hosts of the catalog this one is alive (`GET /v1/hosts`).
    let heartbeat = Mutex<Task<Void, Never>?>(nil)
    private let lifecycle = Mutex(Lifecycle())

    struct Lifecycle {
        var stopping = false
        var stopped = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Opens the host for serving: config, `server` settings (unless given), runner lock,
    /// plugins, catalog, templates. Nothing listens or runs until `start()`.
    /// - Parameter metrics: the host's metric set, to share one registry with the scheduler and
    ///   alerts running in the same process; a new one when nil.
    package init(paths: HostPaths, settings: ServerSettings? = nil, listen: String? = nil, log: Log,
                metrics hostMetrics: HostMetrics? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(HostServerError) {
        let configuration: Configuration
        do {
            configuration = try Configuration.load(path: paths.config)
        } catch {
            throw .configuration(error)
        }
        let resolved: ServerSettings
        if let settings {
            resolved = settings
        } else {
            do {
                resolved = try ServerSettings(configuration: configuration, listen: listen, environment: environment)
            } catch {
                throw .settings(error)
            }
        }
        self.settings = resolved
        guard let lock = RunnerLock(dataDirectory: paths.data) else { throw .runnerLockHeld(data: paths.data) }
        self.lock = lock
        let host: HostComposition
        do {
            host = try HostComposition.open(paths: paths, log: log, configuration: configuration,
                                            settleMilliseconds: resolved.settleMilliseconds)
        } catch {
            throw .composition(error)
        }
        composition = host
        runtime = host.runtime
        catalog = host.catalog
        let templates = host.templates
        self.templates = templates
        service = host.service
        let runner = JobRunner(service: service)
        self.runner = runner
        let uploads = host.uploads
        do {
            let postProcessing = try host.postProcessingQueue()
            self.postProcessing = postProcessing
            let singleton = SingletonGate(lock: try catalog.openSingletonLock(), log: log)
            self.singleton = singleton
            var hooks = OperationsLoop.Hooks(wakeRunner: { await runner.wake() },
                                             jobsChanged: { await runner.waitForChange(milliseconds: 5000) },
                                             maintenance: { run in
                                                 // The maintenance slot works through the post-processing backlog.
                                                 let n = await postProcessing?.processBacklog() ?? 0
                                                 log.info("maintenance slot \(run.slotID): \(n) image(s) post-processed", source: "plans")
                                             },
                                             uploadQueues: { (try? uploads?.alertStatus(destination: "s3")).flatMap { $0 }.map { [$0] } ?? [] })  // try?: an unreadable upload queue gives no backlog alert this round; the next ops round asks again
            hooks.singleton = singleton
            hooks.retention = try host.retentionService()
            operations = try OperationsLoop(
                service: service, templates: templates, catalog: catalog, slotRuns: try catalog.openSlotRunStore(),
                alerts: try catalog.openAlertStore(), metrics: hostMetrics, version: ImagegenVersion.current, hooks: hooks)
            let metrics = operations.metrics
            postProcessing?.onFinished { metrics.record($0) }
            storage = try StorageBackgroundTasks.make(configuration: configuration, paths: paths, catalog: catalog, uploads: uploads, log: log)
        } catch let e as CompositionError {
            throw .composition(e)
        } catch let e as ConfigurationError {
            throw .configuration(e)
        } catch {
            throw .catalog("\(error)")
        }
        let metrics: ServerMetrics
        do throws(MetricsRegistryError) {
            metrics = try ServerMetrics(host: operations.metrics)
        } catch {
            throw .metrics(error)
        }
        // The operations loop counts finished generations itself.
        metrics.countsGenerationsFromCatalog = false
        self.metrics = metrics
        watcher = PluginFolderWatcher(plugins: runtime.plugins, health: service.health, log: log,
                                      intervalMilliseconds: resolved.watchIntervalMilliseconds,
                                      settleMilliseconds: resolved.settleMilliseconds) { changes in
            metrics.recordPluginChanges(changes)
        }
        let catalog = self.catalog
        let takedowns: TakedownService?
        do {
            takedowns = try host.takedownService()
        } catch {
            log.error("takedowns are unavailable over the API: \(error)")
            takedowns = nil
        }
        api = ServerAPI(service: service, catalog: catalog, runner: runner, watcher: watcher, templates: templates, metrics: metrics,
                        statsReport: { try StatsReport(catalog: catalog, budgets: $0, by: $1, since: $2, now: $3) },
                        postProcessor: postProcessing?.processor,
                        takedowns: takedowns,
                        objectImages: storage.uploadWorker?.objectImages,
                        access: ServerAccess(credentialsRequired: !resolved.tokens.isEmpty, secureCookies: !resolved.listen.isLoopback))
        var httpConfiguration = HTTPServerConfiguration(listen: resolved.listen, maxConnections: resolved.maxConnections,
                                                    maxConnectionsPerAddress: resolved.maxConnectionsPerAddress,
                                                    tokens: resolved.tokens, log: { log.info($0, source: "http") })
        // Browsers sign in with a session cookie instead of a token; the API checks those itself.
        httpConfiguration.admitsWithoutToken = ServerAccess.admitsWithoutToken
        api.eventStreams.setLimit(resolved.maxConnections / 4)
        httpConfiguration.timeouts.shutdownGrace = .milliseconds(Int(resolved.shutdownGraceSeconds * 1000))
        // Events: jobs the runner finished, images stored; the API adds queued, reviewed, reserved.
        let api = self.api
        runner.onJobFinished { api.jobFinished($0) }
        service.imageStored.add { api.announceStored($0.record) }
        if resolved.webhooks.isEmpty {
            webhooks = nil
        } else {
            let outbox = WebhookOutbox(targets: resolved.webhooks, dataDirectory: runtime.paths.data, log: log)
            api.events.subscribe { outbox.enqueue($0) }
            webhooks = outbox
        }
        let handlers = api.handlers
        http = HTTPServer(configuration: httpConfiguration, handler: handlers.handler, loopResponder: handlers.loopResponder)
        api.http.withLock { $0 = http }
        let links = WebAppLinks(operations: operations, uploadsConfigured: uploads != nil)
        api.webAppLinks.withLock { $0 = links }
    }

    /// Listens, then resumes unfinished jobs and runs the queue, then watches the plugins folder.
    package func start() async throws(HostServerError) {
        do {
            try http.start()
        } catch {
            throw .http(error)
        }
        webhooks?.resume()
        await runner.start()
        await postProcessing?.start()
        await operations.start()
        await storage.start(singleton: singleton)
        startHeartbeat()
        watcher.start()
        // A plugin loaded from the describe cache has no child yet: start it now, not on the first job.
        let plugins = runtime.plugins
        plugins.warmUp()
        plugins.observeChanges { [weak plugins] _ in plugins?.warmUp() }
        if let bound = http.boundAddress?.description {
            do {
                try ServerAddressFile.write(listen: bound, dataDirectory: runtime.paths.data)
            } catch {
                runtime.log.warning("cannot record the listen address in \(ServerAddressFile.path(dataDirectory: runtime.paths.data)): \(error); "
                                    + "client commands need --listen \(bound)")
            }
        }
        let records = runtime.plugins.records
        runtime.log.info("imagegen serve: listening on \(http.boundAddress?.description ?? settings.listen.description); "
                         + "\(records.filter { $0.generation != nil }.count) plugin(s) loaded, "
                         + "\(records.filter { $0.error != nil }.count) refused; data \(runtime.paths.data)")
        // Serving on is better than refusing to start (other slots and the API still work), but
        // the operator hears why, and /v1/health stays degraded until it is fixed. Checked once
        // the plugin folder has settled: before, every model would read as unknown.
        let (api, watcher, log) = (self.api, self.watcher, runtime.log)
        Task.detached {
            for _ in 0..<600 where watcher.isSettling {
                try? await Task.sleep(nanoseconds: 100_000_000)  // try?: a cancelled sleep only ends the wait early
            }
            for problem in api.configurationProblems() {
                log.warning("serve starts degraded: \(problem) (`imagegen config check` lists every problem)")
            }
        }
        // The long-running host starts its nudity detector in the background (one-shot commands
        // start it on their first image), so a missing install is told at start, not at the first
        // quarantined image; serving never waits for it.
        if let check = service.outputCheck {
            DispatchQueue.global(qos: .utility).async {
                let status = check.warmUp()
                if status.state == .unavailable {
                    log.error("output check: \(status.error ?? "the nudity detector cannot run"). Until it runs, every generated "
                              + "image is quarantined (output_check_unavailable), never published unchecked")
                } else {
                    log.info("output check: \(status.name ?? "detector") ready")
                }
            }
        } else {
            log.warning("output check: off (output_check.enabled: false): generated images are stored without the nudity check")
        }
    }

    /// The port actually listened on (the kernel's choice when 0 was asked for).
    package var port: Int? { http.port }

    /// The HTTP server's counters.
    package var httpStatistics: HTTPServerStatistics { http.statistics }

    /// Graceful shutdown within `grace` seconds (default: `server.shutdown_grace_seconds`).
    /// Safe to call more than once; later calls wait for the first.
    package func stop(grace: Double? = nil) async {
        let first = lifecycle.withLock { l -> Bool in
            defer { l.stopping = true }
            return !l.stopping
        }
        guard first else { return await waitUntilStopped() }
        let grace = grace ?? settings.shutdownGraceSeconds
        let log = runtime.log
        log.info("imagegen serve: shutting down (grace \(grace) s)")
        api.draining.store(true, ordering: .relaxed)
        api.events.wakeAll()
        watcher.stop()
        // The listener closes now; in-flight requests and jobs share the grace period. Requests
        // waiting for jobs are answered once the runner has finished or parked them.
        async let httpStopped: Void = http.stop(grace: .milliseconds(Int(grace * 1000) + 1000))
        await runner.stop(grace: grace)
        await postProcessing?.stop()
        await operations.stop()
        await storage.stop(grace: 1)
        heartbeat.withLock { $0 }?.cancel()
        await api.completions.close()
        await httpStopped
        await webhooks?.stop()
        // The audit entries of the last read-only calls are still queued: on disk before "stopped".
        await runtime.security.audit.flush()
        ServerAddressFile.remove(dataDirectory: runtime.paths.data, listen: nil)
        let parked: Int
        do {
            parked = try catalog.unfinishedJobs().count
        } catch {
            log.error("imagegen serve: cannot count unfinished jobs (\(error)); those left resume on the next start")
            parked = 0
        }
        // Every plugin copy is retired and shut down once drained, parked jobs or not: the
        // runner has ended its jobs' tasks (a job stopped between two steps goes back to its
        // committed state, never ends as cancelled), so nothing calls into a plugin any more.
        runtime.plugins.shutdown()
        log.info("imagegen serve: stopped" + (parked > 0 ? "; \(parked) unfinished job(s) resume on the next start" : ""))
        let waiters = lifecycle.withLock { l in
            l.stopped = true
            defer { l.waiters = [] }
            return l.waiters
        }
        for w in waiters { w.resume() }
    }

    /// Returns once `stop()` has finished.
    package func waitUntilStopped() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = lifecycle.withLock { l -> Bool in
                if l.stopped { return true }
                l.waiters.append(c)
                return false
            }
            if done { c.resume() }
        }
    }
}
