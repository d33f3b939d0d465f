import XCTest
import Synchronization
import Dispatch
import Foundation
@testable import DurableFiles

/// The group commit under the audit log and the image store, through injected syncs (no timing).
final class GroupCommitTests: XCTestCase {
    /// Waiters that ask while a sync runs share the next one: 1 + 10 callers, 2 syncs.
    func testCallersDuringASyncShareTheNextOne() async throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let syncs = Mutex(0)
        let commits = GroupCommit(label: "test", onEventualFailure: { _ in }) {
            let n = syncs.withLock { $0 += 1; return $0 }
            if n == 1 {
                entered.signal()
                release.wait()
            }
        }
        async let first: Void = commits.commit()
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { entered.wait(); continuation.resume() }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 { group.addTask { try await commits.commit() } }
            while commits.waiting < 10 { await Task.yield() }
            release.signal()
            try await group.waitForAll()
        }
        try await first
        XCTAssertEqual(syncs.withLock { $0 }, 2)
        XCTAssertEqual(commits.rounds, 2)
    }

    func testAFailedSyncReachesEveryWaiterOfItsRound() async throws {
        struct DiskFull: Error {}
        let commits = GroupCommit(label: "test", onEventualFailure: { _ in }) { throw DiskFull() }
        do {
            try await commits.commit()
            XCTFail("a failed sync must not read as durable")
        } catch is DiskFull {}
        XCTAssertThrowsError(try commits.commitBlocking())
    }

    func testEventuallyIsSyncedWithoutAWaiterAndFailuresAreReported() throws {
        struct DiskFull: Error {}
        let reported = DispatchSemaphore(value: 0)
        let commits = GroupCommit(label: "test", eventualDelay: .milliseconds(1), onEventualFailure: { _ in reported.signal() }) {
            throw DiskFull()
        }
        commits.eventually()
        reported.wait()
        XCTAssertEqual(commits.rounds, 1)
    }

    /// With a write stage, data no one waits for is written within the short delay and synced
    /// once for the whole window; a waiter in between syncs it, and the scheduled sync is then
    /// not made for nothing.
    func testEventualRoundsWriteAtOnceAndShareOneSyncPerWindow() async throws {
        let writes = Mutex(0), syncs = Mutex(0)
        let commits = GroupCommit(label: "test", eventualDelay: .milliseconds(1), eventualSyncDelay: .milliseconds(400),
                                  onEventualFailure: { _ in }, write: { writes.withLock { $0 += 1 } }) {
            syncs.withLock { $0 += 1 }
        }
        for _ in 0..<5 {
            commits.eventually()
            let before = writes.withLock { $0 }
            while writes.withLock({ $0 }) == before { usleep(500) }  // each eventual round comes, and writes
        }
        XCTAssertEqual(syncs.withLock { $0 }, 0, "written, not synced yet: the window is 400 ms")
        while syncs.withLock({ $0 }) == 0 { usleep(1000) }
        XCTAssertEqual(syncs.withLock { $0 }, 1, "one sync for the window's five rounds")
        XCTAssertEqual(commits.syncs, 1)

        // A waiter's round syncs what an eventual round wrote before it: no second sync follows.
        commits.eventually()
        let before = writes.withLock { $0 }
        while writes.withLock({ $0 }) == before { usleep(500) }
        try await commits.commit()
        XCTAssertEqual(syncs.withLock { $0 }, 2)
        try await Task.sleep(for: .milliseconds(700))
        XCTAssertEqual(syncs.withLock { $0 }, 2, "the scheduled sync found nothing unsynced")
    }

    func testBatchedWritesAreInPlaceWhenWriteReturns() async throws {
        let folder = NSTemporaryDirectory() + "batch-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }  // try?: a leftover temp folder does not fail a test
        let batch = AtomicFileBatch()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    try await batch.write([(Array("image \(i)".utf8), "\(folder)/a/\(i).png"),
                                           (Array("sidecar \(i)".utf8), "\(folder)/a/\(i).json")])
                }
            }
            try await group.waitForAll()
        }
        for i in 0..<8 {
            XCTAssertEqual(FileManager.default.contents(atPath: "\(folder)/a/\(i).png"), Data("image \(i)".utf8))
            XCTAssertEqual(FileManager.default.contents(atPath: "\(folder)/a/\(i).json"), Data("sidecar \(i)".utf8))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder + "/a").filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
        XCTAssertLessThanOrEqual(batch.rounds, 8, "never more rounds than writers")
    }

    func testAFailedRenameIsReportedToItsWriterOnly() async throws {
        let folder = NSTemporaryDirectory() + "batch-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }  // try?: a leftover temp folder does not fail a test
        // A non-empty folder where the file should go: rename(2) refuses to replace it.
        try FileManager.default.createDirectory(atPath: folder + "/blocked.png/inside", withIntermediateDirectories: true)
        let batch = AtomicFileBatch()
        let bad = try batch.stage([(Array("x".utf8), folder + "/blocked.png")])
        let good = try batch.stage([(Array("y".utf8), folder + "/fine.png")])
        do {
            try await batch.commit(bad)
            XCTFail("the rename over a folder must fail")
        } catch {
            XCTAssertTrue(error.path.hasSuffix("blocked.png"), "\(error)")
        }
        try await batch.commit(good)
        XCTAssertEqual(FileManager.default.contents(atPath: folder + "/fine.png"), Data("y".utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [], "the refused file's temp is removed")
    }
}
