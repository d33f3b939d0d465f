import Foundation
import ImagegenJSON
import XCTest
import Catalog
import ImagegenCore
import Imaging
@testable import CatalogSQLite
@testable import CatalogPostgres

/// `imagegen catalog migrate`: a SQLite catalog with rows in every kind of table copied into an
/// empty PostgreSQL one, interrupted and resumed, then compared row by row.
final class CatalogMigrationTests: CatalogContractTests {
    private var folders: [String] = []

    override func tearDownWithError() throws {
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }  // try?: a leftover temp folder fails nothing
        folders = []
        try super.tearDownWithError()
    }

    /// A SQLite catalog with jobs in several states, originals and a derivative, the ledger,
    /// ratings, reservations, reviews, people, a takedown, uploads, alerts, slot runs and quotas,
    /// and a quarantined original with its output-check verdict.
    func populatedSQLite() throws -> SQLiteCatalog {
        let folder = TestEnvironment.temporaryDirectory("catalog-migrate")
        folders.append(folder)
        let catalog = try SQLiteCatalog(path: folder + "/catalog.sqlite")
        _ = try catalog.enqueue((0..<7).map { newJob("j\($0)", cost: 0.5, key: "k\($0)") }, budgets: policy(daily: 100), now: noon,
                                allowPartial: false)
        for i in 0..<5 { try runToEnd(catalog, "j\(i)", state: i == 4 ? .failed : .succeeded, cost: 0.25 * Double(i), source: "provider", now: noon) }
        try catalog.markSubmitting("j5", plugin: "fake", providerModel: "x", generation: 1, tried: ["fake/x"], now: noon)
        try catalog.recordSubmitted("j5", ref: ["id": "pred-5", "poll": "https://example.test/5"], state: .running, progress: 0.3, now: noon)
        for i in 0..<4 {
            try catalog.storeImage(image("img\(i)", job: "j\(i)", generatedAt: noon.addingTimeInterval(Double(i)), cost: 0.25 * Double(i)),
                                   outputIndex: 0, pluginID: "fake", providerModel: "x", costSource: "provider")
        }
        try catalog.storeImage(image("img0-thumb", job: "j0", generatedAt: noon.addingTimeInterval(9), cost: nil, variant: "thumbnail",
                                     parentID: "img0"), outputIndex: 0, pluginID: nil, providerModel: nil, costSource: "unknown")
        var held = image("img4", job: "j2", generatedAt: noon.addingTimeInterval(4), cost: nil, status: ImageRecord.quarantined)
        held.outputCheck = NudityVerdict(quarantined: true, reason: "explicit nudity", findings: [NudityFinding(label: "EXPOSED", score: 0.9)],
                                         detector: "nudenet")
        try catalog.storeImage(held, outputIndex: 1, pluginID: "fake", providerModel: "x", costSource: "provider")
        try catalog.rate(imageID: "img1", rating: 4, now: noon)
        _ = try catalog.reserve(imageID: "img2", channel: "blog", day: "2026-03-16", now: noon)
        _ = try catalog.review(imageIDs: ["img1"], decision: .reject(reason: "extra finger"), reviewer: "user:ann", now: noon)
        _ = try catalog.addUser(name: "ann", role: .admin, passwordHash: "$argon2id$x", now: noon)
        try catalog.createSession(UserSession(tokenHash: "t1", user: "ann", createdAt: noon, expiresAt: noon.addingTimeInterval(3600),
                                              address: "127.0.0.1"))
        try catalog.prepareUploadQueue()
        try catalog.enqueueUploads([UploadFile(filePath: "general/2026/03/img0.png", imageID: "img0", kind: .image),
                                    UploadFile(filePath: "general/2026/03/img1.png", imageID: "img1", kind: .image)], now: noon)
        try catalog.prepareTakedowns()
        try catalog.recordFingerprint(imageID: "img0", hash: PerceptualHash(0xABCD))
        try catalog.openTakedown(TakedownRecord(id: "td1", targetKind: "image", target: "img3", reason: "complaint",
                                                requestedAt: noon, receivedAt: noon, requestedBy: "cli"))
        try catalog.commitTakedown(id: "td1", originals: ["img3"], tombstones: [
            Tombstone(imageID: "img3", takedownID: "td1", contentSHA256: String(repeating: "ab", count: 32), hash: nil, template: "t1", seed: 42)],
                                   cleanup: TakedownCleanup(files: ["general/2026/03/img3.png"]), now: noon)
        XCTAssertTrue(try CatalogAlertStore(catalog: catalog).insertIfNotActive(
            Alert(AlertCondition(rule: "BudgetLow", subject: "daily", severity: .warning, message: "low"), startedAt: noon)))
        XCTAssertTrue(try CatalogSlotRunStore(catalog: catalog).insertIfAbsent(
            SlotRun(occurrenceKey: "morning@2026-03-15", slotID: "morning", kind: .generate, scheduledStart: noon,
                    scheduledEnd: noon.addingTimeInterval(3600), trigger: .scheduled, status: .queued, recordedAt: noon,
                    requestedCount: 1, plannedJobs: [], skippedCount: 0, skipReason: nil, jobIDs: ["j6"], attempts: 1, lastError: nil)))
        try catalog.saveDailyImageCount(3, scope: .provider("fal"), day: "2026-03-15")
        return catalog
    }

    /// Every row of every copied table, canonical, sorted: equal lists mean equal rows.
    func rows(_ catalog: SQLiteCatalog, _ target: PostgresCatalog) throws -> [String: ([String], [String])] {
        var out: [String: ([String], [String])] = [:]
        for table in CatalogMigration.tables {
            guard !(try catalog.database.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(table)])).isEmpty
            else { continue }
            let columns = try catalog.database.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", [.text(table)])
                .compactMap { $0["name"]?.string }
            let list = columns.joined(separator: ", ")
            out[table] = (try catalog.database.query("SELECT \(list) FROM \(table)").map { CatalogMigration.canonical($0, columns: columns) }.sorted(),
                          try target.db.query("SELECT \(list) FROM \(table)").map { CatalogMigration.canonical($0, columns: columns) }.sorted())
        }
        return out
    }

    func testAnInterruptedCopyResumesAndEveryRowArrivesOnceAndEqual() throws {
        let source = try populatedSQLite()
        let target = try PostgresCatalog(url: try PostgresTestServer.running().makeDatabase())
        let migration = CatalogMigration(source: source.database, target: target, batch: 2)
        XCTAssertThrowsError(try migration.run(stopAfterBatches: 5)) { XCTAssertEqual($0 as? MigrationError, .interrupted(table: "images")) }
        let reports = try migration.run()
        XCTAssertEqual(reports.first { $0.table == "jobs" }?.copiedNow, 0, "the jobs committed before the interruption are not copied again")
        XCTAssertEqual(reports.first { $0.table == "images" }?.rows, 6)

        let tables = try rows(source, target)
        XCTAssertGreaterThanOrEqual(tables.count, 18, "tables compared: \(tables.keys.sorted())")
        for (table, (from, to)) in tables.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(to, from, "\(table) differs row by row")
        }
        XCTAssertGreaterThan(tables["ledger"]?.0.count ?? 0, 0)
        XCTAssertGreaterThan(tables["tombstones"]?.0.count ?? 0, 0)
        // Through the port too, and the copied catalog keeps working (identities continue).
        XCTAssertEqual(try target.jobs(state: nil, batch: nil, limit: 100), try source.jobs(state: nil, batch: nil, limit: 100))
        XCTAssertEqual(try target.ledger(since: nil), try source.ledger(since: nil))
        XCTAssertEqual(try target.image("img0-thumb"), try source.image("img0-thumb"))
        XCTAssertEqual(try target.image("img4"), try source.image("img4"))
        XCTAssertEqual(try target.image("img4")?.outputCheck?.reason, "explicit nudity", "the output check's verdict is copied")
        XCTAssertEqual(try target.unfinishedJobs().map(\.id), ["j5"])
        XCTAssertEqual(try migration.run().map(\.copiedNow).reduce(0, +), 0, "a finished copy run again copies nothing")
        try target.storeImage(image("img6", job: "j6", generatedAt: noon, cost: 0.5), outputIndex: 0, pluginID: "fake",
                              providerModel: "x", costSource: "provider")
        XCTAssertEqual(try target.ledger(since: nil).count, try source.ledger(since: nil).count + 1)
        XCTAssertThrowsError(try migration.verify(), "a catalog that changed after the copy no longer verifies") {
            XCTAssertEqual($0 as? MigrationError, .countDiffers(table: "images", source: 6, target: 7))
        }
    }

    func testACatalogWithRowsThatDidNotComeFromThisCopyIsRefused() throws {
        let source = try populatedSQLite()
        let target = try PostgresCatalog(url: try PostgresTestServer.running().makeDatabase())
        try queue(target, newJob("already-here"))
        XCTAssertThrowsError(try CatalogMigration(source: source.database, target: target).run()) {
            XCTAssertEqual($0 as? MigrationError, .targetNotEmpty(table: "jobs"))
        }
        XCTAssertEqual(try target.jobs(state: nil, batch: nil, limit: 10).map(\.id), ["already-here"], "nothing was copied in")
    }

    /// The command end to end: images generated on SQLite are listed the same from PostgreSQL.
    func testTheCommandCopiesAHostsCatalogAndTheHostThenServesItFromPostgreSQL() throws {
        let host = try TestHost(label: "catalog-migrate-cli")
        defer { try? FileManager.default.removeItem(atPath: host.root) }  // try?: a leftover temp folder fails nothing
        let made = try host.cli(["generate", "--prompt", "a red teapot", "--category", "product", "--variations", "2",
                                 "--width", "64", "--height", "64", "--json"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let before = try host.cli(["images", "--json"])
        let url = try PostgresTestServer.running().makeDatabase()
        let migrated = try host.cli(["catalog", "migrate", "--to", url, "--batch", "1", "--json"])
        XCTAssertEqual(migrated.status, 0, migrated.stderr)
        let tables = JSONValue.parse(Array(migrated.stdout.utf8))?.array ?? []
        // Two originals and their post-processed derivatives.
        XCTAssertGreaterThan(tables.first { $0["table"]?.string == "images" }?["rows"]?.int ?? 0, 2, migrated.stdout)
        XCTAssertEqual(tables.first { $0["table"]?.string == "jobs" }?["rows"]?.int, 2, migrated.stdout)
        let after = try host.cli(["images", "--json"], environment: ["IMAGEGEN_CATALOG_URL": url])
        XCTAssertEqual(after.status, 0, after.stderr)
        XCTAssertEqual(JSONValue.parse(Array(after.stdout.utf8)), JSONValue.parse(Array(before.stdout.utf8)),
                       "the images listed from PostgreSQL are those listed from SQLite")
        let refused = try host.cli(["catalog", "migrate", "--to", "postgresql://imagegen:secret@127.0.0.1:1/x"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertFalse(refused.stderr.contains(":secret@"), "a password in the URL is refused without being repeated")
    }
}
