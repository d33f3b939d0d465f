import Foundation
import Synchronization
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import Composition
@testable import Host
@testable import ImagegenCore
@testable import Operations
@testable import Pipeline
@testable import Security
import ImagegenTestSupport

/// The retention rules (issue 17 item 9): rejected and quarantined originals lose their files
/// after their time, reported and audited; fresh, approved and pending images, the ledger and
/// the audit log stay.
final class RetentionTests: XCTestCase {
    private static let day: TimeInterval = 86_400

    func testRulesPurgeRejectedAndQuarantinedImagesAfterTheirTimeAndReportIt() async throws {
        let host = try TestHost(label: "retention", config: "{ retention: { rejected_days: 30, quarantined_days: 7 } }")
        let generator = try host.generator()
        generator.composition.service.useOutputCheck(OutputCheck(classifier: RecordedNudityClassifier(answers: [
            [], [NudityFinding(label: "MALE_GENITALIA_EXPOSED", score: 0.9, box: [1, 2, 3, 4])], [],
        ])))
        let rejected = try await generator.generateCustom(prompt: "a teapot, rejected")[0]
        let quarantined = try await generator.generateCustom(prompt: "a teapot, quarantined")[0]
        let kept = try await generator.generateCustom(prompt: "a teapot, kept")[0]
        XCTAssertEqual(quarantined.status, ImageRecord.quarantined)
        let catalog = generator.composition.catalog
        let now = Date()
        _ = try catalog.review(imageIDs: [rejected.imageID], decision: .reject(reason: "off-brand"), reviewer: "user:rev",
                               now: now.addingTimeInterval(-31 * Self.day))
        let service = try generator.composition.retentionService()

        // Today: only the image rejected 31 days ago is due; the quarantined one is a day old at most.
        let dryRun = try await service.run(now: now, apply: false)
        XCTAssertEqual(dryRun.images.map(\.imageID), [rejected.imageID])
        XCTAssertEqual(dryRun.images.first?.rule, .rejected)
        XCTAssertTrue(FileManager.default.fileExists(atPath: host.paths.data + "/" + rejected.filePath), "a dry run touches nothing")

        // Eight days on, both are due; applying purges their files and keeps their rows.
        let later = now.addingTimeInterval(8 * Self.day)
        let listed = try host.cli(["retention", "--json"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let applied = try await service.run(now: later, apply: true)
        XCTAssertEqual(Set(applied.images.map(\.imageID)), [rejected.imageID, quarantined.imageID])
        XCTAssertEqual(applied.failures, [:])
        XCTAssertGreaterThanOrEqual(applied.filesRemoved, 4, "each image and its sidecar")
        for image in [rejected, quarantined] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: host.paths.data + "/" + image.filePath))
            XCTAssertEqual(try catalog.image(image.imageID)?.status, ImageRecord.purged)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: host.paths.data + "/" + kept.filePath))
        XCTAssertEqual(try catalog.image(kept.imageID)?.status, ImageRecord.completed)
        // The ledger keeps what the purged images cost.
        let sqlite = try host.catalog()
        XCTAssertEqual(try sqlite.database.query("SELECT COUNT(*) AS n FROM ledger").first?["n"]?.int, 3)
        // Audited, one entry per image; a second run finds nothing left.
        let audit = try AuditLogReader(path: generator.composition.security.audit.path).entries(actions: [.retentionPurge]).entries
        XCTAssertEqual(Set(audit.map(\.subject)), [rejected.imageID, quarantined.imageID])
        XCTAssertEqual(audit.first { $0.subject == rejected.imageID }?.details["rule"], "rejected")
        let again = try await service.run(now: later, apply: true)
        XCTAssertEqual(again.images, [])
        await generator.shutdown()
    }

    /// `serve` applies the rules through its operations loop (HostServer passes `retentionService()`).
    func testTheOperationsLoopAppliesTheRules() async throws {
        let host = try TestHost(label: "retention-loop", config: "{ retention: { quarantined_days: 1 }, plans: { enabled: false } }")
        let generator = try host.generator()
        generator.composition.service.useOutputCheck(OutputCheck(classifier: RecordedNudityClassifier(answers: [])))
        let held = try await generator.generateCustom(prompt: "a teapot")[0]
        XCTAssertEqual(held.status, ImageRecord.quarantined, "a detector with no answer quarantines")
        var hooks = OperationsLoop.Hooks()
        hooks.retention = try generator.composition.retentionService()
        let loop = try OperationsLoop(generator: generator, clock: ManualWallClock(Date().addingTimeInterval(2 * Self.day)), hooks: hooks)
        await loop.start()
        var status: String?
        for _ in 0..<100 {
            status = try generator.composition.catalog.image(held.imageID)?.status
            if status == ImageRecord.purged { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        await loop.stop()
        await generator.shutdown()
        XCTAssertEqual(status, ImageRecord.purged)
        XCTAssertFalse(FileManager.default.fileExists(atPath: host.paths.data + "/" + held.filePath))
    }

    /// Retention is a singleton: a host without the catalog's lock purges nothing, and takes
    /// over once it holds the lock.
    func testOnlyTheHostHoldingTheSingletonLockAppliesTheRules() async throws {
        let host = try TestHost(label: "retention-singleton", config: "{ retention: { quarantined_days: 1 }, plans: { enabled: false } }")
        let generator = try host.generator()
        generator.composition.service.useOutputCheck(OutputCheck(classifier: RecordedNudityClassifier(answers: [])))
        let held = try await generator.generateCustom(prompt: "a teapot")[0]
        XCTAssertEqual(held.status, ImageRecord.quarantined)
        let lock = SwitchedSingletonLock()
        var hooks = OperationsLoop.Hooks()
        hooks.retention = try generator.composition.retentionService()
        hooks.singleton = SingletonGate(lock: lock)
        hooks.singletonRetry = 0.05
        let loop = try OperationsLoop(generator: generator, clock: ManualWallClock(Date().addingTimeInterval(2 * Self.day)), hooks: hooks)
        await loop.start()
        for _ in 0..<10 where lock.asked < 3 { try await Task.sleep(nanoseconds: 100_000_000) }
        XCTAssertGreaterThanOrEqual(lock.asked, 1, "retention asked for the lock")
        XCTAssertEqual(try generator.composition.catalog.image(held.imageID)?.status, ImageRecord.quarantined,
                       "another host holds the lock: nothing purged here")
        lock.set(true)
        var status: String?
        for _ in 0..<100 {
            status = try generator.composition.catalog.image(held.imageID)?.status
            if status == ImageRecord.purged { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        await loop.stop()
        await generator.shutdown()
        XCTAssertEqual(status, ImageRecord.purged, "the host that took the lock over applies the rules")
    }

    func testRetentionKeysAreChecked() throws {
        let host = try TestHost(label: "retention-config", config: "{ retention: { rejected_dayz: 3 } }")
        let check = try host.cli(["config", "check"])
        XCTAssertNotEqual(check.status, 0)
        XCTAssertTrue(check.stderr.contains("retention.rejected_dayz") && check.stderr.contains("retention.rejected_days"), check.stderr)
        let zero = try TestHost(label: "retention-zero", config: "{ retention: { quarantined_days: 0 } }")
        XCTAssertTrue(try zero.cli(["config", "check"]).stderr.contains("retention.quarantined_days"))
        let none = try TestHost(label: "retention-none")
        let report = try none.cli(["retention"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("no retention rule is set"), report.stdout)
    }
}

/// A singleton lock the test hands over, counting how often it was asked.
private final class SwitchedSingletonLock: SingletonLock {
    private let state = Mutex((holding: false, asked: 0))
    var asked: Int { state.withLock { $0.asked } }
    func set(_ value: Bool) { state.withLock { $0.holding = value } }
    func holds() -> Bool { state.withLock { $0.asked += 1; return $0.holding } }
}
