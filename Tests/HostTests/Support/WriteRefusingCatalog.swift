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

/// The real SQLite catalog, except that one kind of write always fails (a catalog locked by
/// another writer): how the pipeline survives a lost write is tested through it.
final class WriteRefusingCatalog: CatalogStore, @unchecked Sendable {
    enum Write { case recordSubmitted, recordProgress }
    struct Refused: Error, CustomStringConvertible { var description: String { "database is locked (injected)" } }
    let inner: SQLiteCatalog
    let refused: Write
    /// Attempts of the refused write.
    let recordAttempts = NSLockedCounter()
    /// Reads of the queue (`queuedJobs`): how often the runner's dispatch loop looked.
    let queueReads = NSLockedCounter()
    init(inner: SQLiteCatalog, refusing refused: Write) {
        self.inner = inner
        self.refused = refused
    }

    /// The host's runtime (plugins scanned) and a generation service over the host's own
    /// catalog wrapped in one that refuses `refused`.
    static func service(for host: TestHost, refusing refused: Write) throws -> (service: GenerationService, catalog: WriteRefusingCatalog,
                                                                               sqlite: SQLiteCatalog) {
        let configuration = try Configuration.load(path: host.paths.config)
        let security = try HostSecurity.open(paths: host.paths, configuration: configuration, log: host.log)
        let runtime = HostRuntime(paths: host.paths, configuration: configuration, log: host.log, security: security)
        runtime.plugins.rescan()
        let sqlite = try SQLiteCatalog(path: host.paths.catalog)
        try security.attach(sqlite)
        let failing = WriteRefusingCatalog(inner: sqlite, refusing: refused)
        return (GenerationService(runtime: runtime, catalog: failing), failing, sqlite)
    }

    private func refuse(_ write: Write) throws {
        guard write == refused else { return }
        recordAttempts.withLock { $0 += 1 }
        throw Refused()
    }

    func recordSubmitted(_ id: String, ref: JSONValue, state: JobState, progress: Double?, now: Date) throws {
        try refuse(.recordSubmitted)
        try inner.recordSubmitted(id, ref: ref, state: state, progress: progress, now: now)
    }
    func enqueue(_ jobs: [NewJob], budgets: BudgetPolicy, now: Date, allowPartial: Bool) throws -> [Job] {
        try inner.enqueue(jobs, budgets: budgets, now: now, allowPartial: allowPartial)
    }
    func queuedJobs(limit: Int, models: [String]?) throws -> [Job] {
        queueReads.withLock { $0 += 1 }
        return try inner.queuedJobs(limit: limit, models: models)
    }
    func unfinishedJobs() throws -> [Job] { try inner.unfinishedJobs() }
    func takeOverLapsedJobs(models: [String]?) throws -> [Job] { try inner.takeOverLapsedJobs(models: models) }
    func renewClaims(jobIDs: [String]) throws { try inner.renewClaims(jobIDs: jobIDs) }
    var claimLeaseSeconds: Double? { inner.claimLeaseSeconds }
    func markSubmitting(_ id: String, plugin: String, providerModel: String, generation: Int, tried: [String], now: Date) throws {
        try inner.markSubmitting(id, plugin: plugin, providerModel: providerModel, generation: generation, tried: tried, now: now)
    }
    func recordProgress(_ id: String, state: JobState, progress: Double?, ref: JSONValue?, now: Date) throws {
        try refuse(.recordProgress)
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
    func cancelRequested(_ id: String) throws -> Bool { try inner.cancelRequested(id) }
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
