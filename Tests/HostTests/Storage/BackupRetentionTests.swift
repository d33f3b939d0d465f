import Foundation
import XCTest
@testable import Host
@testable import CatalogSQLite
@testable import Operations

/// Which backups retention keeps, and the daily schedule's decisions under a manual clock.
final class BackupRetentionTests: XCTestCase {
    private func names(_ dates: [Date]) -> [BackupArchiveName] { dates.map { BackupArchiveName(createdAt: $0) } }

    func testNamesCarryTheirTimeAndParseBack() throws {
        let name = BackupArchiveName(createdAt: utc(2026, 1, 15, 3, 30, 7))
        XCTAssertEqual(name.stem, "imagegen-backup-20260115T033007Z")
        XCTAssertEqual(BackupArchiveName(fileName: name.fileName(.tarGzip)), name)
        XCTAssertEqual(BackupArchiveName(fileName: name.fileName(.directory)), name)
        XCTAssertNil(BackupArchiveName(fileName: "imagegen-backup-notadate.tar.gz"))
        XCTAssertNil(BackupArchiveName(fileName: ".imagegen-backup-20260115T033007Z.partial-1234"))
    }

    func testKeepsNewestPerDayForNDaysAndPerWeekForMWeeks() {
        // Daily backups 1–31 January 2026 at 03:30, plus a second one on the 31st.
        var dates = (1...31).map { utc(2026, 1, $0, 3, 30) }
        dates.append(utc(2026, 1, 31, 15, 0))
        let backups = names(dates)
        let kept = BackupRetention(keepDaily: 3, keepWeekly: 3).keep(backups)
        let expected = names([
            utc(2026, 1, 31, 15, 0), utc(2026, 1, 30, 3, 30), utc(2026, 1, 29, 3, 30), // newest of the last 3 days
            utc(2026, 1, 25, 3, 30), utc(2026, 1, 18, 3, 30), // newest of the 2 ISO weeks before (weeks end on Sunday)
        ])
        XCTAssertEqual(kept, Set(expected))
        let pruned = BackupRetention(keepDaily: 3, keepWeekly: 3).prunable(backups)
        XCTAssertEqual(pruned.count, backups.count - expected.count)
        XCTAssertEqual(pruned.first, BackupArchiveName(createdAt: utc(2026, 1, 1, 3, 30)), "oldest first")
        XCTAssertTrue(BackupRetention(keepDaily: 0, keepWeekly: 0).prunable(backups).isEmpty, "0/0 turns retention off")
    }

    func testDaysWithoutBackupsDoNotCount() {
        // A host down for ten days still keeps its last 2 backups.
        let backups = names([utc(2026, 3, 1, 3, 30), utc(2026, 3, 2, 3, 30), utc(2026, 3, 12, 3, 30)])
        XCTAssertEqual(BackupRetention(keepDaily: 2, keepWeekly: 0).prunable(backups), names([utc(2026, 3, 1, 3, 30)]))
    }

    func testSchedulerRunsDailyCatchesUpOnceAndRetriesAfterAFailure() async throws {
        let root = TestEnvironment.temporaryDirectory("backup-schedule")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let catalog = try SQLiteCatalog(path: root + "/data/catalog.sqlite")
        let clock = ManualClock(utc(2026, 2, 10, 12, 0))
        var configuration = BackupConfiguration()
        configuration.keepDaily = 2
        configuration.keepWeekly = 0
        let writer = BackupWriter(sources: BackupSources(catalog: catalog, dataDirectory: root + "/data", configFile: nil),
                                  retention: configuration.retention, clock: clock.function)
        let destination = BackupDestination.directory(root + "/backups")
        let (log, _) = TestEnvironment.capturingLog()
        let scheduler = BackupScheduler(writer: writer, destination: destination, configuration: configuration, log: log,
                                        clock: clock.function)
        let next = await scheduler.nextRun(after: utc(2026, 2, 10, 12, 0))
        XCTAssertEqual(next, utc(2026, 2, 11, 3, 30))

        // No backup yet: the first check makes one at once.
        let first = await scheduler.runIfDue()
        XCTAssertEqual(first?.name, "imagegen-backup-20260210T120000Z")
        clock.set(utc(2026, 2, 11, 3, 0))
        let early = await scheduler.runIfDue()
        XCTAssertNil(early, "not due before 03:30")
        clock.set(utc(2026, 2, 11, 3, 30))
        let onTime = await scheduler.runIfDue()
        XCTAssertEqual(onTime?.name, "imagegen-backup-20260211T033000Z")
        // Down for three days: one catch-up backup, not three.
        clock.set(utc(2026, 2, 14, 9, 0))
        let catchUp = await scheduler.runIfDue()
        XCTAssertEqual(catchUp?.name, "imagegen-backup-20260214T090000Z")
        XCTAssertEqual(catchUp?.pruned, ["imagegen-backup-20260210T120000Z.tar.gz"], "keep_daily 2")
        clock.set(utc(2026, 2, 14, 9, 5))
        let again = await scheduler.runIfDue()
        XCTAssertNil(again)

        // A failing destination is retried after the retry interval, not at every check.
        try FileManager.default.removeItem(atPath: root + "/backups")
        try Data().write(to: URL(fileURLWithPath: root + "/backups")) // a file where the folder should be
        clock.set(utc(2026, 2, 15, 3, 30))
        let failed = await scheduler.runIfDue()
        XCTAssertNil(failed)
        clock.set(utc(2026, 2, 15, 4, 0))
        let tooSoon = await scheduler.isDue(now: clock.now)
        XCTAssertFalse(tooSoon)
        try FileManager.default.removeItem(atPath: root + "/backups")
        clock.set(utc(2026, 2, 15, 4, 31))
        let retried = await scheduler.runIfDue()
        XCTAssertEqual(retried?.name, "imagegen-backup-20260215T043100Z")

        // A new scheduler (a restarted serve) reads the newest backup from the destination.
        let restarted = BackupScheduler(writer: writer, destination: destination, configuration: configuration, log: log,
                                        clock: clock.function)
        let afterRestart = await restarted.runIfDue()
        XCTAssertNil(afterRestart, "the 04:31 backup is newer than the last scheduled time")
        let known = await restarted.lastBackup
        XCTAssertEqual(known, utc(2026, 2, 15, 4, 31))
    }
}
