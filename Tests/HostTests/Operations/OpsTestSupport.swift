import Foundation
import Synchronization
import XCTest
@testable import Host
@testable import CatalogSQLite
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Operations
@testable import Pipeline
@testable import PluginHost

/// A host for the operations tests: one data folder that outlives "processes". Each `phase()`
/// opens the host again from the config as it is now (a restart: new runtime, new catalog
/// connection, new circuits), so a test can change the Preview plugin's knobs between phases.
final class OpsHost {
    let host: TestHost
    var paths: HostPaths { host.paths }

    /// Adult categories need an attestation; the Preview plugin serves the model "preview".
    static let baseConfig = #"attestation: { attested_by: "ops tests", attested_at: "2026-01-01" }"#

    init(label: String, plugins: [String] = ["preview"], config: String = "") throws {
        host = try TestHost(label: label, plugins: plugins, config: "{ \(OpsHost.baseConfig), \(config) }")
    }

    /// Replaces the config (the base keys stay).
    func configure(_ config: String) throws {
        try "{ \(OpsHost.baseConfig), \(config) }".write(toFile: paths.config!, atomically: true, encoding: .utf8)
    }

    func phase(secrets: (any SecretSource)? = nil) throws -> OpsPhase {
        let configuration = try Configuration.load(path: paths.config)
        let runtime = HostRuntime(paths: paths, configuration: configuration, log: host.log, secrets: secrets)
        runtime.plugins.rescan()
        let catalog = try SQLiteCatalog(path: paths.catalog)
        let templates = TemplateStore(folder: TemplateStore.folder(configuration: configuration, paths: paths), catalog: catalog)
        let service = GenerationService(runtime: runtime, catalog: catalog, extraCategories: { templates.categories() })
        return OpsPhase(runtime: runtime, catalog: catalog, templates: templates, service: service)
    }
}

/// One "process" of an `OpsHost`.
struct OpsPhase {
    let runtime: HostRuntime
    let catalog: SQLiteCatalog
    let templates: TemplateStore
    let service: GenerationService

    var queue: PlanJobQueue { PlanJobQueue(service: service, templates: templates) }

    /// Small prompt jobs (64×64: fast to render), run to their end.
    @discardableResult
    func runPrompts(_ count: Int, prompt: String = "a red teapot", category: String = "product") async throws -> [Job] {
        let jobs = try (0..<count).flatMap { i in
            try service.enqueue(GenerationRequest(prompt: "\(prompt) \(i)", width: 64, height: 64, category: category))
        }
        return try await runToEnd(jobs)
    }

    /// Template jobs (one per image), run to their end.
    @discardableResult
    func runTemplate(_ name: String, count: Int) async throws -> [Job] {
        let jobs = try (0..<count).flatMap { i in
            try service.enqueue(template: TemplateRequest(template: name, variations: 1, seed: UInt64(i)), templates: templates)
        }
        return try await runToEnd(jobs)
    }

    /// Runs the queue until every given job is final, then stops the runner.
    func runToEnd(_ jobs: [Job]) async throws -> [Job] {
        let runner = JobRunner(service: service)
        await runner.start()
        await runner.wake()
        let deadline = Date().addingTimeInterval(60)
        var current = jobs
        while Date() < deadline {
            current = try catalog.jobs(ids: jobs.map(\.id))
            if current.allSatisfy({ $0.state.isTerminal }) { break }
            await runner.waitForChange(milliseconds: 200)
        }
        await runner.stop(grace: 2)
        XCTAssertTrue(current.allSatisfy { $0.state.isTerminal }, "jobs did not finish: \(current.map(\.state))")
        return current
    }

    /// Jobs whose idempotency key starts with `prefix` (a slot occurrence's jobs).
    func jobCount(keyPrefix prefix: String) throws -> Int {
        Int(try catalog.database.query("SELECT COUNT(*) AS n FROM jobs WHERE substr(idempotency_key, 1, ?) = ?",
                                       [.integer(Int64(prefix.count)), .text(prefix)]).first?["n"]?.int ?? 0)
    }

    func loop(clock: any WallClock, sinks: [any AlertSink]? = [OpsRecordingSink()],
              balances: (@Sendable (Date) async -> [ProviderBalance])? = nil,
              uploadQueues: @escaping @Sendable () -> [UploadQueueStatus] = { [] }) throws -> OperationsLoop {
        try OperationsLoop(service: service, templates: templates, catalog: catalog, slotRuns: try catalog.openSlotRunStore(),
                           alerts: try catalog.openAlertStore(), clock: clock,
                           hooks: .init(uploadQueues: uploadQueues, balances: balances, sinks: sinks))
    }
}

/// Records every notification it is given.
final class OpsRecordingSink: AlertSink {
    let name = "recording"
    private let received = Mutex<[AlertNotification]>([])
    func deliver(_ notification: AlertNotification) async throws(AlertSinkError) {
        received.withLock { $0.append(notification) }
    }
    var notifications: [AlertNotification] { received.withLock { $0 } }
}

/// Transitions as "fired Rule/subject" / "resolved Rule/subject", for compact assertions.
func opsDescribe(_ transitions: [AlertTransition]) -> [String] {
    transitions.map { t in
        switch t {
        case let .fired(a): return "fired \(a.id)"
        case let .resolved(a): return "resolved \(a.id)"
        }
    }.sorted()
}
