import XCTest
import Synchronization
import Dispatch
@testable import Crypto
@testable import ImagegenCore
@testable import Security

/// Group commit of the audit log, checked through a fake fsync that records how much of the
/// file each sync covered — never through timing. "Durable" below means: a sync ran after the
/// entry's bytes were in the file.
final class AuditGroupCommitTests: XCTestCase {
    private var directory: URL!
    private var path: String { directory.appendingPathComponent("audit.log").path }
    private var ring: KeyRing!

    override func setUpWithError() throws {
        directory = try SecurityTestSupport.makeTemporaryDirectory()
        ring = try KeyRing(current: SecurityTestSupport.key(SecurityTestSupport.hexKeyA))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)  // try?: a leftover temp folder does not fail a test
    }

    /// Counts fsyncs and remembers the file size the last one covered.
    private final class SyncRecorder: Sendable {
        private let state = Mutex((count: 0, durableSize: Int64(0)))
        var count: Int { state.withLock { $0.count } }
        var durableSize: Int64 { state.withLock { $0.durableSize } }
        func sync(_ fd: Int32) -> Int32 {
            var info = stat()
            _ = fstat(fd, &info)
            state.withLock { $0 = (count: $0.count + 1, durableSize: Int64(info.st_size)) }
            return 0
        }
    }

    private var fileSize: Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int64) ?? -1  // try?: -1 fails the comparison
    }

    /// A log whose `eventually` entries would wait an hour: whatever is durable in these tests
    /// was made so by someone waiting for it.
    private func makeLog(_ recorder: SyncRecorder) throws -> AuditLog {
        try AuditLog(path: path, keyRing: ring, eventualDelay: .seconds(3600), syncFile: { recorder.sync($0) })
    }

    private func makeTrail(_ log: AuditLog) -> AuditTrail {
        AuditTrail(path: path, log: log, hostLog: Log(minimum: .error, sinks: []), redaction: nil, unavailableReason: nil)
    }

    func testImmediateAppendIsOnDiskWhenItReturns() throws {
        let recorder = SyncRecorder()
        let log = try makeLog(recorder)
        try log.append(principal: "cli:ops", action: .keyRotation, subject: "k1")
        XCTAssertEqual(recorder.count, 1)
        XCTAssertEqual(recorder.durableSize, fileSize)
    }

    func testStateChangesOfARequestAreDurableBeforeItIsAcknowledged() async throws {
        let recorder = SyncRecorder()
        let log = try makeLog(recorder)
        let trail = makeTrail(log)
        await trail.acknowledging {
            trail.record(.generation, subject: "job_1", caller: .system("test"))
            trail.record(.cancellation, subject: "job_2", caller: .system("test"))
            // Nothing waited inside the request: the scope syncs once for both.
            XCTAssertEqual(recorder.count, 0)
        }
        XCTAssertEqual(recorder.count, 1, "one fsync for the request's entries")
        XCTAssertGreaterThan(fileSize, 0)
        XCTAssertEqual(recorder.durableSize, fileSize, "the entries are on disk when the request may answer")
    }

    func testReadOnlyCallsDoNotWaitForTheDisk() async throws {
        let recorder = SyncRecorder()
        let log = try makeLog(recorder)
        let trail = makeTrail(log)
        for _ in 0..<20 {
            await trail.acknowledging {
                trail.record(.apiCall, subject: "GET /v1/models", details: ["status": "200"], caller: .system("test"),
                             changesState: false)
            }
        }
        XCTAssertEqual(recorder.count, 0, "a read never waits for an fsync")
        // The next change writes them first, in order, and its sync covers them.
        try log.append(principal: "cli:ops", action: .budgetChange, subject: "budgets")
        XCTAssertEqual(recorder.durableSize, fileSize)
        let entries = try AuditLogReader(path: path).entries().entries
        XCTAssertEqual(entries.map(\.action), Array(repeating: .apiCall, count: 20) + [.budgetChange])
        XCTAssertEqual(entries.map(\.seq), Array(1...21))
        XCTAssertEqual(try AuditLogReader(path: path).verify(keyRing: ring).isIntact, true)
    }

    func testReadOnlyEntriesReachTheDiskWithoutAnyoneAsking() throws {
        let recorder = SyncRecorder()
        let log = try AuditLog(path: path, keyRing: ring, eventualDelay: .milliseconds(1), syncFile: { recorder.sync($0) })
        log.appendEventually(principal: "token:ci", action: .apiCall, subject: "GET /v1/jobs")
        // Polls the counter (no timing asserted): the scheduled round must come.
        while recorder.count == 0 { usleep(1000) }
        XCTAssertEqual(try AuditLogReader(path: path).entries().entries.map(\.subject), ["GET /v1/jobs"])
        XCTAssertEqual(recorder.durableSize, fileSize)
    }

    /// A read's entry is in the file (a killed host keeps it) long before it is synced: the
    /// sync comes within `eventualSyncDelay`, so a stream of reads pays one fsync per window.
    func testReadOnlyEntriesAreWrittenAtOnceAndSyncedLater() throws {
        let recorder = SyncRecorder()
        let log = try AuditLog(path: path, keyRing: ring, eventualDelay: .milliseconds(1), eventualSyncDelay: .seconds(3600),
                               syncFile: { recorder.sync($0) })
        for i in 0..<10 {
            log.appendEventually(principal: "token:ci", action: .apiCall, subject: "GET /v1/jobs/\(i)")
            while (try? AuditLogReader(path: path).entries().entries.count) ?? 0 <= i { usleep(1000) }  // try?: not readable yet is "not yet"
        }
        XCTAssertEqual(recorder.count, 0, "no fsync for reads within the window")
        XCTAssertEqual(try AuditLogReader(path: path).verify(keyRing: ring).isIntact, true)
        // A change syncs them with it.
        try log.append(principal: "cli:ops", action: .budgetChange, subject: "budgets")
        XCTAssertEqual(recorder.count, 1)
        XCTAssertEqual(recorder.durableSize, fileSize)
    }

    func testEntryOutsideARequestWaitsItself() throws {
        let recorder = SyncRecorder()
        let trail = makeTrail(try makeLog(recorder))
        trail.record(.pluginLoad, subject: "preview", caller: .system("plugins"))
        XCTAssertEqual(recorder.count, 1)
        XCTAssertEqual(recorder.durableSize, fileSize)
    }

    func testEntryOfATaskThatOutlivesItsRequestIsSyncedByItself() async throws {
        let recorder = SyncRecorder()
        let trail = makeTrail(try makeLog(recorder))
        let gate = DispatchSemaphore(value: 0)
        let late: Task<Void, Never> = await trail.acknowledging {
            Task {  // inherits the request's scope, which closes before the task records
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().async { gate.wait(); continuation.resume() }
                }
                trail.record(.contentFiltered, subject: "job_9", caller: .system("runner"))
            }
        }
        gate.signal()
        await late.value
        XCTAssertEqual(recorder.durableSize, fileSize, "the closed scope cannot cover it, so record syncs")
    }
}
