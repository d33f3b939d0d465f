import Foundation
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import Host
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import ImagegenJSON
@testable import Pipeline
@testable import Security

/// Progress written while polling is not the reference (that is committed before the first
/// poll): a failed progress write is logged and retried on the next poll, and the job goes on.
final class ProgressWriteFailureTests: XCTestCase {
    func testAProgressWriteThatFailsIsRetriedAndTheJobStillSucceeds() async throws {
        let host = try TestHost(label: "progwrite", config: "{ providers: { preview: { latency_ms: 400 } } }")
        let configuration = try Configuration.load(path: host.paths.config)
        let security = try HostSecurity.open(paths: host.paths, configuration: configuration, log: host.log)
        let runtime = HostRuntime(paths: host.paths, configuration: configuration, log: host.log, security: security)
        runtime.plugins.rescan()
        let sqlite = try SQLiteCatalog(path: host.paths.catalog)
        try security.attach(sqlite)
        let failing = ProgressRefusingCatalog(inner: sqlite)
        let service = GenerationService(runtime: runtime, catalog: failing)

        let jobs = try service.enqueue(GenerationRequest(model: "preview", prompt: "a green bowl", width: 64, height: 64))
        let id = try XCTUnwrap(jobs.first?.id)
        let runner = JobRunner(service: service)
        await runner.start()
        var finished: Job?
        for _ in 0..<200 {
            if let job = try sqlite.job(id), job.state.isTerminal { finished = job; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        await runner.stop(grace: 1)

        let job = try XCTUnwrap(finished, "the job finished")
        XCTAssertEqual(job.state, .succeeded, "\(job.errorCode ?? ""): \(job.errorMessage ?? "")")
        XCTAssertNotNil(job.jobRef, "the reference itself was committed")
        XCTAssertEqual(try sqlite.images(ImageFilter(jobID: id)).count, 1)
        XCTAssertGreaterThanOrEqual(failing.recordAttempts.withLock { $0 }, 2, "the failed write is made again on the next poll")
        XCTAssertTrue(host.lines.lines.contains { $0.contains(id) && $0.contains("cannot record progress") },
                      "the failed write is logged with the job id: \(host.lines.lines)")
    }
}

final class ProgressRefusingCatalog: CatalogStore, @unchecked Sendable {
    struct Refused: Error, CustomStringConvertible { var description: String { "database is locked (injected)" } }
    let inner: SQLiteCatalog
    let recordAttempts = NSLockedCounter()
    init(inner: SQLiteCatalog) { self.inner = inner }

    func recordSubmitted(_ id: String, ref: JSONValue, state: JobState, progress: Double?, now: Date) throws {
        try inner.recordSubmitted(id, ref: ref, state: state, progress: progress, now: now)
    }
    func enqueue(_ jobs: [NewJob], budgets: BudgetPolicy, now: Date, allowPartial: Bool) throws -> [Job] {
        try inner.enqueue(jobs, budgets: budgets, now: now, allowPartial: allowPartial)
    }
    func queuedJobs(limit: Int) throws -> [Job] { try inner.queuedJobs(limit: limit) }
    func unfinishedJobs() throws -> [Job] { try inner.unfinishedJobs() }
    func markSubmitting(_ id: String, plugin: String, providerModel: String, generation: Int, tried: [String], now: Date) throws {
        try inner.markSubmitting(id, plugin: plugin, providerModel: providerModel, generation: generation, tried: tried, now: now)
    }
    func recordProgress(_ id: String, state: JobState, progress: Double?, ref: JSONValue?, now: Date) throws {
        recordAttempts.withLock { $0 += 1 }
        throw Refused()
    }
    func requeue(_ id: String, tried: [String], error: (String, String)?, now: Date) throws {
        try inner.requeue(id, tried: tried, error: error, now: now)
    }
    func storeImage(_ record: ImageRecord, outputIndex: Int, pluginID: String?, providerModel: String?, costSource: String) throws {
        try inner.storeImage(record, outputIndex: outputIndex, pluginID: pluginID, providerModel: providerModel, costSource: costSource)
    }
    func finish(_ id: String, state: JobState, cost: Double?, costSource: String?, providerTime: Double?,
                error: (String, String)?, now: Date) throws {
        try inner.finish(id, state: state, cost: cost, costSource: costSource, providerTime: providerTime, error: error, now: now)
    }
    func requestCancel(_ id: String, now: Date) throws -> Job? { try inner.requestCancel(id, now: now) }
    func job(_ id: String) throws -> Job? { try inner.job(id) }
    func jobs(state: JobState?, batch: String?, limit: Int) throws -> [Job] { try inner.jobs(state: state, batch: batch, limit: limit) }
    func jobs(ids: [String]) throws -> [Job] { try inner.jobs(ids: ids) }
    func image(_ id: String) throws -> ImageRecord? { try inner.image(id) }
    func images(_ filter: ImageFilter) throws -> [ImageRecord] { try inner.images(filter) }
    func ledger(since: Date?) throws -> [LedgerEntry] { try inner.ledger(since: since) }
    func budgetStatus(_ policy: BudgetPolicy, categories: [String], now: Date) throws -> [BudgetStatus] {
        try inner.budgetStatus(policy, categories: categories, now: now)
    }
}

