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

/// The provider's job reference is the never-pay-twice promise: when it cannot be written, the
/// job must end in a safe state instead of being polled (or resubmitted) without it.
final class ReferenceWriteFailureTests: XCTestCase {
    func testAReferenceThatCannotBeRecordedEndsTheJobWithoutPollingOrResubmitting() async throws {
        let submitLog = TestEnvironment.temporaryDirectory("refwrite-log") + "/submits.log"
        let host = try TestHost(label: "refwrite", config: "{ providers: { preview: { submit_log: \"\(submitLog)\", latency_ms: 50 } } }")
        let configuration = try Configuration.load(path: host.paths.config)
        let security = try HostSecurity.open(paths: host.paths, configuration: configuration, log: host.log)
        let runtime = HostRuntime(paths: host.paths, configuration: configuration, log: host.log, security: security)
        runtime.plugins.rescan()
        let sqlite = try SQLiteCatalog(path: host.paths.catalog)
        try security.attach(sqlite)
        let failing = ReferenceRefusingCatalog(inner: sqlite)
        let service = GenerationService(runtime: runtime, catalog: failing)

        let jobs = try service.enqueue(GenerationRequest(model: "preview", prompt: "a blue vase", width: 64, height: 64))
        let id = try XCTUnwrap(jobs.first?.id)
        let runner = JobRunner(service: service)
        await runner.start()
        let finished = try await waitForTerminal(id, in: sqlite)
        await runner.stop(grace: 1)

        XCTAssertEqual(finished.state, .failed)
        XCTAssertEqual(finished.errorCode, "catalog_unavailable")
        XCTAssertNil(finished.jobRef, "no reference was ever committed")
        XCTAssertEqual(failing.recordAttempts.withLock { $0 }, 1 + JobExecution.referenceRetryDelays.count,
                       "the write is retried before the job is given up")
        XCTAssertEqual(try sqlite.images(ImageFilter(jobID: id)).count, 0, "nothing was fetched or stored")
        XCTAssertEqual(try submits(submitLog), [id], "sent exactly once")

        // A second runner over the same catalog (a restart) leaves the ended job alone.
        let again = JobRunner(service: GenerationService(runtime: runtime, catalog: sqlite))
        await again.start()
        try await Task.sleep(for: .milliseconds(300))
        await again.stop(grace: 1)
        XCTAssertEqual(try submits(submitLog), [id], "never resubmitted")
    }

    private func submits(_ path: String) throws -> [String] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    private func waitForTerminal(_ id: String, in catalog: SQLiteCatalog) async throws -> Job {
        for _ in 0..<200 {
            if let job = try catalog.job(id), job.state.isTerminal { return job }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw XCTSkip("job \(id) did not finish")
    }
}

/// A catalog whose `recordSubmitted` always fails (a catalog locked by another writer), and
/// which otherwise is the real SQLite catalog.
final class ReferenceRefusingCatalog: CatalogStore, @unchecked Sendable {
    struct Refused: Error, CustomStringConvertible { var description: String { "database is locked (injected)" } }
    let inner: SQLiteCatalog
    let recordAttempts = NSLockedCounter()
    init(inner: SQLiteCatalog) { self.inner = inner }

    func recordSubmitted(_ id: String, ref: JSONValue, state: JobState, progress: Double?, now: Date) throws {
        recordAttempts.withLock { $0 += 1 }
        throw Refused()
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
        try inner.recordProgress(id, state: state, progress: progress, ref: ref, now: now)
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

final class NSLockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func withLock<T>(_ body: (inout Int) -> T) -> T { lock.lock(); defer { lock.unlock() }; return body(&value) }
}
