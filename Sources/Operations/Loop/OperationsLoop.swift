import Foundation
import Catalog
import ImagegenCore
import Pipeline

/// The unattended part of `imagegen serve`: the plan's scheduler, the alert evaluation and the
/// metrics, started and stopped together.
///
/// - The scheduler ticks at every slot start and at least every 30 s (`PlanScheduler.runUntilCancelled`).
/// - Alerts are evaluated every `alerts.evaluate_every_seconds` (30 s), after jobs finish and after
///   a slot is missed or fails, at most once a second; transitions go to the sinks (log,
///   `<data>/alerts.log`, webhook) in order, in the background, so a webhook retrying with
///   back-off never delays the next evaluation.
/// - Every finished job is fed once to `HostMetrics` (the catalog is read incrementally by finish
///   time), and the budget, job, circuit and alert gauges are refreshed on each evaluation and each
///   scrape (`metricsText()`).
///
/// Serve creates one with `init(generator:…)`, calls `start()` once the runner runs, serves
/// `GET /metrics` from `metricsText()` (Content-Type `PrometheusText.contentType`) and calls
/// `stop()` while draining.
public actor OperationsLoop {
    /// Ways to plug the loop into a host, each optional.
    public struct Hooks: Sendable {
        /// Wakes the job runner after a slot queued jobs.
        public var wakeRunner: @Sendable () async -> Void
        /// Returns when a job may have finished (e.g. `JobRunner.waitForChange`), or after a timeout.
        public var jobsChanged: (@Sendable () async -> Void)?
        /// Runs maintenance slots (post-processing and organisation); nil logs that there is none.
        public var maintenance: MaintenanceAction?
        /// The storage module's upload queues, for the backlog alert.
        public var uploadQueues: @Sendable () -> [UploadQueueStatus]
        /// Provider balances; nil reads them from the plugins (`imagegen.balance/1`).
        public var balances: (@Sendable (Date) async -> [ProviderBalance])?
        /// Alert sinks; nil builds them from the config (log, file, webhook).
        public var sinks: [any AlertSink]?
        /// Whether this host runs the scheduler, the alert evaluation and retention now (several
        /// hosts on one catalog elect one); metrics are every host's own.
        public var singleton = SingletonGate()
        /// The retention rules, applied every `retention.interval_hours` (nil: none configured).
        public var retention: RetentionService?
        /// How often a host without the singleton lock asks again for retention's turn.
        public var singletonRetry: TimeInterval = 30

        public init(wakeRunner: @escaping @Sendable () async -> Void = {}, jobsChanged: (@Sendable () async -> Void)? = nil,
                    maintenance: MaintenanceAction? = nil, uploadQueues: @escaping @Sendable () -> [UploadQueueStatus] = { [] },
                    balances: (@Sendable (Date) async -> [ProviderBalance])? = nil, sinks: [any AlertSink]? = nil,
                    retention: RetentionService? = nil) {
            self.retention = retention
            self.wakeRunner = wakeRunner
            self.jobsChanged = jobsChanged
            self.maintenance = maintenance
            self.uploadQueues = uploadQueues
            self.balances = balances
            self.sinks = sinks
        }
    }

    nonisolated public let plan: PlanService
    /// Nil when the config switches the plan off (`plans: { enabled: false }`).
    nonisolated public let scheduler: PlanScheduler?
    nonisolated public let metrics: HostMetrics
    nonisolated public let alertSettings: AlertSettings
    nonisolated public let alertStore: any AlertStore
    let engine: AlertEngine
    let dispatcher: AlertDispatcher
    let inputSource: AlertInputSource
    let service: GenerationService
    let catalog: any CatalogStore & GenerationRecordStore
    let clock: any WallClock
    let log: Log
    let hooks: Hooks
    private let nudges: AsyncStream<Void>
    private let nudge: AsyncStream<Void>.Continuation
    private var cursor: GenerationRecordCursor?
    private var tasks: [Task<Void, Never>] = []
    private var delivery: Task<Void, Never>?
    private var running = false
    private var finished = false

    /// - Parameters:
    ///   - catalog: the finished jobs, budgets and job counts the metrics and alerts read.
    ///   - slotRuns: the plan's slot runs (the catalog's, for the exactly-once guarantee).
    ///   - alerts: where firing alerts are recorded (the catalog's, so a restart does not page again).
    public init(service: GenerationService, templates: TemplateStore, catalog: any CatalogStore & GenerationRecordStore,
                slotRuns: any SlotRunStore & SchedulerStartStore, alerts: any AlertStore,
                clock: any WallClock = SystemWallClock(), metrics: HostMetrics? = nil, version: String = "dev",
                hooks: Hooks = Hooks()) throws {
        let runtime = service.runtime
        let log = runtime.log
        let alertSettings = try AlertSettings(configuration: runtime.configuration)
        let metrics = try metrics ?? HostMetrics(version: version)
        let (nudges, nudge) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let plan = try PlanService(service: service, templates: templates, slotRuns: slotRuns, wake: hooks.wakeRunner)
        self.plan = plan
        self.scheduler = plan.configuration.enabled
            ? try plan.scheduler(clock: clock, maintenance: hooks.maintenance, onEvent: { event in
                metrics.record(event)
                OperationsLoop.log(event, to: log)
                switch event {
                case .missed, .failed, .skipped: nudge.yield()
                default: break
                }
            })
            : nil
        self.metrics = metrics
        self.alertSettings = alertSettings
        alertStore = alerts
        engine = AlertEngine(rules: alertSettings.rules, store: alertStore, clock: clock, timing: alertSettings.timing)
        let sinks = hooks.sinks ?? OperationsLoop.configuredSinks(alertSettings, runtime: runtime)
        dispatcher = AlertDispatcher(sinks: sinks, clock: clock, metrics: metrics, onFailure: { log.warning($0) })
        let balanceReader = ProviderBalanceReader(plugins: runtime.plugins, providers: Array(alertSettings.balanceThresholds.keys),
                                                  log: log)
        inputSource = AlertInputSource(catalog: catalog, slotRuns: plan.store, settings: alertSettings,
                                       budgetSettings: runtime.configuration.budgets,
                                       balances: hooks.balances ?? { await balanceReader.balances(now: $0) },
                                       uploadQueues: hooks.uploadQueues)
        self.service = service
        self.catalog = catalog
        self.clock = clock
        self.log = log
        self.hooks = hooks
        self.nudges = nudges
        self.nudge = nudge
    }

    /// The sinks the config asks for: always the log, the file unless `alerts.file: false`, the
    /// webhook when configured (signed when its secret's environment variable is set).
    static func configuredSinks(_ settings: AlertSettings, runtime: HostRuntime) -> [any AlertSink] {
        let log = runtime.log
        var sinks: [any AlertSink] = [LogAlertSink(write: { log.warning($0, source: "alerts") })]
        if let file = settings.file {
            sinks.append(FileAlertSink(path: file.hasPrefix("/") ? file : runtime.paths.data + "/" + file))
        }
        if let hook = settings.webhook {
            var secret: [UInt8]?
            if let name = hook.secretEnvironmentName {
                if let value = runtime.secrets.secret(named: name) {
                    secret = Array(value.utf8)
                } else {
                    log.warning("alerts.webhook.secret_env names \(name), which is not set: webhook alerts go out unsigned")
                }
            }
            sinks.append(WebhookAlertSink(url: hook.url, secret: secret, policy: WebhookRetryPolicy(maxAttempts: hook.maxAttempts)))
        }
        return sinks
    }

    // MARK: - Start and stop

    /// Starts the scheduler, the periodic evaluation and the reaction to finished jobs. Idempotent;
    /// a loop runs once (after `stop()`, make a new one).
    public func start() {
        guard !running, !finished else { return }
        running = true
        ingestFinishedJobs()
        if let scheduler {
            let singleton = hooks.singleton
            tasks.append(Task { await scheduler.runUntilCancelled(maxSleep: 30, mayRun: { singleton.mayRun() }) })
        }
        let every = alertSettings.evaluateEvery
        let nudge = self.nudge
        tasks.append(Task {
            while !Task.isCancelled {
                nudge.yield()
                do { try await Task.sleep(nanoseconds: UInt64(every * 1_000_000_000)) } catch { return }
            }
        })
        let nudges = self.nudges
        // Jobs finishing back to back nudge again at once, and each evaluation reads recent history
        // (1,000 rows and the baseline window): at a steady rate it ran without pause and its cost
        // grew with the catalog. Nudges in between are coalesced into the next one.
        let spacing = UInt64(min(1, every) * 1_000_000_000)
        tasks.append(Task { [weak self] in
            for await _ in nudges {
                guard let self, !Task.isCancelled else { return }
                await self.evaluate()
                do { try await Task.sleep(nanoseconds: spacing) } catch { return }
            }
        })
        if let retention = hooks.retention, retention.settings.isActive {
            let clock = self.clock, log = self.log, singleton = hooks.singleton, retry = hooks.singletonRetry
            tasks.append(Task.detached(priority: .utility) {
                while !Task.isCancelled {
                    // Retention is a singleton: a host without the lock asks again shortly, so a
                    // take-over does not wait a whole interval.
                    guard singleton.mayRun() else {
                        do { try await Task.sleep(nanoseconds: UInt64(max(0.01, retry) * 1_000_000_000)) } catch { return }
                        continue
                    }
                    do { _ = try await retention.run(now: clock.now, apply: true) } catch {
                        log.warning("retention: the rules could not be applied this round: \(error)", source: "retention")
                    }
                    do { try await Task.sleep(nanoseconds: UInt64(retention.settings.intervalHours * 3_600_000_000_000)) } catch { return }
                }
            })
        }
        if let jobsChanged = hooks.jobsChanged {
            tasks.append(Task { [weak self] in
                while !Task.isCancelled {
                    await jobsChanged()
                    guard let self, !Task.isCancelled else { return }
                    if await self.ingestFinishedJobs() > 0 { nudge.yield() }
                }
            })
        }
    }

    /// Stops every task and waits for the alert deliveries under way (a webhook's retries are cut
    /// short by the cancellation: the alert stays recorded in the catalog).
    public func stop() async {
        guard running else { return }
        running = false
        finished = true
        let all = tasks
        tasks = []
        for task in all { task.cancel() }
        for task in all { await task.value }
        await delivery?.value
    }

    /// Evaluations run so far (tests check the spacing of nudged ones).
    package private(set) var evaluations = 0

    /// Asks for an evaluation soon (e.g. after a job finished).
    public nonisolated func jobFinished() { nudge.yield() }

    // MARK: - One pass

    /// Feeds the finished jobs not yet seen to the metrics. Returns how many were new.
    @discardableResult
    public func ingestFinishedJobs() -> Int {
        var count = 0
        do {
            while true {
                let (records, next) = try catalog.generationRecords(after: cursor, limit: 1000)
                for record in records { metrics.record(record) }
                cursor = next
                count += records.count
                if records.count < 1000 { break }
            }
        } catch {
            log.error("metrics: cannot read finished jobs from the catalog: \(error)")
        }
        return count
    }

    /// Evaluates the alert rules now, records the transitions and hands them to the sinks
    /// (in the background; `deliveriesSettled()` waits for them). Returns the transitions.
    @discardableResult
    public func evaluate() async -> [AlertTransition] {
        evaluations += 1
        ingestFinishedJobs()
        let now = clock.now
        let inputs: AlertInputs
        do {
            inputs = try await inputSource.inputs(now: now)
        } catch {
            log.error("alerts: cannot read the host's state (\(error)); the next evaluation tries again")
            return []
        }
        metrics.update(budgets: inputs.budgets)
        guard hooks.singleton.mayRun() else { return [] }
        let transitions: [AlertTransition]
        do {
            transitions = try await engine.evaluate(inputs)
        } catch {
            log.error("\(error)")
            return []
        }
        refreshGauges()
        if !transitions.isEmpty {
            let previous = delivery
            let dispatcher = self.dispatcher
            delivery = Task {
                await previous?.value
                await dispatcher.dispatch(transitions)
            }
        }
        return transitions
    }

    /// Waits until every notification handed to the sinks so far was delivered or given up.
    public func deliveriesSettled() async {
        await delivery?.value
    }

    /// The Prometheus exposition, fresh: finished jobs ingested and gauges refreshed first.
    public func metricsText() -> String {
        ingestFinishedJobs()
        do {
            metrics.update(budgets: try catalog.budgetStatus(service.budgets,
                categories: service.runtime.configuration.budgets.categories.keys.sorted(), now: clock.now))
        } catch {
            log.warning("metrics: cannot read the budgets: \(error)")
        }
        refreshGauges()
        return metrics.registry.exposition()
    }

    /// Jobs by state, circuits and active alerts.
    private func refreshGauges() {
        do {
            metrics.jobs.replaceAll(try JobState.allCases.map { (["state": $0.rawValue], Double(try catalog.countJobs(state: $0))) })
            metrics.update(activeAlerts: try alertStore.activeAlerts())
        } catch {
            log.warning("metrics: cannot read jobs or alerts: \(error)")
        }
        // One series per (plugin, model name) of each circuit, as serve's /metrics labels them.
        let now = clock.now
        let entries = service.runtime.models.sortedEntries
        metrics.circuitOpen.replaceAll(service.health.records(now: now).flatMap { record -> [([String: String], Double)] in
            let plugin = String(record.candidate.split(separator: "/", maxSplits: 1).first ?? "")
            let models = entries.filter { $0.candidates.contains { $0.key == record.candidate } }.map(\.name)
            return models.map { (["provider": plugin, "model": $0], record.state == "open" ? 1 : 0) }
        })
    }

    // MARK: - Scheduler events in the log

    static func log(_ event: SchedulerEvent, to log: Log) {
        switch event {
        case let .queued(run):
            let skipped = run.skippedCount > 0 ? "; \(run.skippedCount) not queued: \(run.skipReason ?? "budget")" : ""
            log.info("slot \(run.occurrenceKey) (\(run.trigger.rawValue)): queued \(run.jobIDs.count) job(s)\(skipped)", source: "plan")
        case let .maintenanceCompleted(run):
            log.info("slot \(run.occurrenceKey): maintenance done", source: "plan")
        case let .skipped(run):
            log.warning("slot \(run.occurrenceKey): nothing queued: \(run.skipReason ?? "the budget allows no image")", source: "plan")
        case let .missed(run):
            log.warning("slot \(run.occurrenceKey) missed: \(run.lastError ?? "the host was down past its grace period")", source: "plan")
        case let .attemptFailed(run, error):
            log.warning("slot \(run.occurrenceKey): attempt \(run.attempts) failed (\(error)); retried on the next tick", source: "plan")
        case let .failed(run):
            log.error("slot \(run.occurrenceKey) failed after \(run.attempts) attempts: \(run.lastError ?? "unknown error")", source: "plan")
        case let .storeUnavailable(message):
            log.error("plan: \(message)", source: "plan")
        }
    }
}

/// Why the operations loop could not be built.
public enum OperationsLoopError: Error, Sendable, CustomStringConvertible {
    case unsupportedCatalog

    public var description: String {
        switch self {
        case .unsupportedCatalog:
            return "the operations loop needs the SQLite catalog (slot runs and alerts live in it); open the host with its data folder"
        }
    }
}
