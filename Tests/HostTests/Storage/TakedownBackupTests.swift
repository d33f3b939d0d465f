import Foundation
import XCTest
@testable import Host
@testable import ImagegenCore
@testable import Catalog
@testable import CatalogSQLite
@testable import CloudStorage
@testable import Operations
@testable import Security

/// A takedown reaches the backups (issue 17 item 7): the blobs of the image's files are deleted
/// from the backup destination and a record is left there, so restoring a backup made *before*
/// the takedown does not bring the image back — its files are not installed and the restored
/// catalog says it was taken down (tombstone, request, 410 semantics kept).
final class TakedownBackupTests: XCTestCase {
    private var scratch: String!

    override class func tearDown() {
        MotoS3Server.stopShared()
        super.tearDown()
    }

    override func setUp() {
        scratch = TestEnvironment.temporaryDirectory("takedown-backup")
    }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(atPath: scratch) }  // try?: test scratch cleanup
    }

    func testRestoringAnEarlierBackupDoesNotBringATakenDownImageBack() async throws {
        let backups = scratch + "/backups"
        let host = try TestHost(label: "takedown-backup", config: """
            { imaging: { postProcessing: { automatic: true } }, backup: { to: "\(backups)" } }
            """)
        let generator = try host.generator()
        let first = try await generator.generateCustom(prompt: "a red teapot on a wooden table",
                                                       parameters: GenerationParameters(width: 96, height: 96, seed: 3))
        let second = try await generator.generateCustom(prompt: "a blue armchair by a window",
                                                        parameters: GenerationParameters(width: 96, height: 96, seed: 91))
        let doomed = try XCTUnwrap(first.first)
        let kept = try XCTUnwrap(second.first)
        await generator.shutdown()
        let catalog = try host.catalog()
        let doomedRows = [doomed] + (try catalog.derivatives(of: doomed.imageID))
        let keptRows = [kept] + (try catalog.derivatives(of: kept.imageID))
        XCTAssertGreaterThan(doomedRows.count, 1, "derivatives were rendered")

        // The backup made before the takedown holds every file as a blob.
        let backup = try host.cli(["backup", "--json"])
        XCTAssertEqual(backup.status, 0, backup.stderr)
        let location = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any])?["location"] as? String)
        XCTAssertTrue(location.hasPrefix(backups), location)
        let blobs = LocalBackupBlobStore(destination: backups)
        for row in doomedRows { XCTAssertTrue(FileManager.default.fileExists(atPath: blobs.path(sha256: row.contentSHA256)), row.filePath) }

        let takedown = try host.cli(["takedown", doomed.imageID, "--reason", "TAKE IT DOWN request", "--json"])
        XCTAssertEqual(takedown.status, 0, takedown.stderr)
        let takedownID = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(takedown.stdout.utf8)) as? [String: Any])?["id"] as? String)

        // Gone from the data folder and from the backups' blob store; a record stays beside the blobs.
        for row in doomedRows {
            XCTAssertFalse(FileManager.default.fileExists(atPath: host.paths.data + "/" + row.filePath), row.filePath)
            XCTAssertFalse(FileManager.default.fileExists(atPath: blobs.path(sha256: row.contentSHA256)), "blob of \(row.filePath)")
        }
        for row in keptRows { XCTAssertTrue(FileManager.default.fileExists(atPath: blobs.path(sha256: row.contentSHA256)), row.filePath) }
        let withdrawals = try await blobs.withdrawals()
        XCTAssertEqual(withdrawals.all.map(\.takedownID), [takedownID])
        XCTAssertEqual(withdrawals.all.first?.images.map(\.imageID), [doomed.imageID])

        // Audited with the request and completion times.
        let audit = try AuditLogReader(path: host.paths.data + "/audit.log").entries(actions: [.takedownRequest, .takedownCompletion]).entries
        XCTAssertEqual(audit.map(\.action), [.takedownRequest, .takedownCompletion])
        XCTAssertEqual(audit.map(\.subject), [takedownID, takedownID])
        XCTAssertNotNil(audit.last?.details["completed_at"])

        // A backup after the takedown does not look for the removed files.
        let after = try host.cli(["backup", "--to", scratch + "/later-backups", "--json"])
        XCTAssertEqual(after.status, 0, after.stderr)
        let afterImages = (try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])?["images"] as? [String: Any]
        XCTAssertEqual(afterImages?["missing"] as? [String], [], after.stdout)

        // Restore the backup made *before* the takedown into a new folder.
        let target = scratch + "/restored"
        let restore = try runImagegen(["restore", location, "--data", target, "--plugins", host.paths.plugins])
        XCTAssertEqual(restore.status, 0, restore.stdout + restore.stderr)
        XCTAssertTrue(restore.stdout.contains("0 missing"), restore.stdout)
        for row in doomedRows { XCTAssertFalse(FileManager.default.fileExists(atPath: target + "/" + row.filePath), "restored \(row.filePath)") }
        for row in keptRows { XCTAssertTrue(FileManager.default.fileExists(atPath: target + "/" + row.filePath), row.filePath) }
        let restored = try SQLiteCatalog(path: target + "/catalog.sqlite")
        for row in doomedRows { XCTAssertEqual(try restored.image(row.imageID)?.status, ImageRecord.takenDown, row.imageID) }
        XCTAssertEqual(try restored.image(kept.imageID)?.status, ImageRecord.completed)
        XCTAssertEqual(try restored.availableImages(category: nil, tag: nil, limit: 10).map(\.imageID), [kept.imageID])
        XCTAssertEqual(try restored.takedowns(limit: 5).map(\.id), [takedownID])
        XCTAssertNotNil(try restored.takedowns(limit: 5).first?.completedAt)
        XCTAssertEqual(try restored.tombstones().map(\.imageID), [doomed.imageID])
    }

    /// The same through an S3 backup destination (moto): the blob goes from the bucket, the record
    /// lands beside the archives, and a restore from the bucket honours it.
    func testAnS3BackupDestinationForgetsTheImageAndItsRestoreDoesNotBringItBack() async throws {
        let moto = try await MotoS3Server.shared()
        let bed = try await StorageTestBed(moto: moto, label: "takedown-s3-backup", extraConfig: ", backup: { to: \"s3://BUCKET/backups\" }")
        // The bucket name is made by the bed: put it into the config now.
        let config = try String(contentsOfFile: bed.host.paths.config!, encoding: .utf8).replacingOccurrences(of: "BUCKET", with: bed.bucket)
        try config.write(toFile: bed.host.paths.config!, atomically: true, encoding: .utf8)
        let credentials = ["AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey]
        let records = try await bed.generate(2)
        let backup = try bed.host.cli(["backup", "--json"], environment: credentials)
        XCTAssertEqual(backup.status, 0, backup.stderr)
        let location = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any])?["location"] as? String)
        XCTAssertTrue(location.hasPrefix("s3://\(bed.bucket)/backups/"), location)
        let client = try bed.client()
        let blobs = S3BackupBlobStore(client: client, backupsPrefix: "backups")
        let before = try await blobs.storedSize(sha256: records[0].contentSHA256)
        XCTAssertNotNil(before, "the backup stored the blob")

        let takedown = try bed.host.cli(["takedown", records[0].imageID, "--reason", "request", "--json"], environment: credentials)
        XCTAssertEqual(takedown.status, 0, takedown.stdout + takedown.stderr)
        let after = try await blobs.storedSize(sha256: records[0].contentSHA256)
        XCTAssertNil(after, "the blob is gone from the bucket")
        let kept = try await blobs.storedSize(sha256: records[1].contentSHA256)
        XCTAssertNotNil(kept)
        let withdrawals = try await blobs.withdrawals()
        XCTAssertEqual(withdrawals.all.flatMap { $0.images.map(\.imageID) }, [records[0].imageID])

        let target = scratch + "/restored-s3"
        let restore = try runImagegen(["restore", location, "--data", target, "--config", bed.host.paths.config!, "--plugins",
                                       bed.host.paths.plugins], environment: credentials)
        XCTAssertEqual(restore.status, 0, restore.stdout + restore.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target + "/" + records[0].filePath))
        XCTAssertTrue(FileManager.default.fileExists(atPath: target + "/" + records[1].filePath))
        let restored = try SQLiteCatalog(path: target + "/catalog.sqlite")
        XCTAssertEqual(try restored.image(records[0].imageID)?.status, ImageRecord.takenDown)
        XCTAssertEqual(try restored.tombstones().map(\.imageID), [records[0].imageID])
    }
}
