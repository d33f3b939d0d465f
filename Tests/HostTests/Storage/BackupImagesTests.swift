import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import CloudStorage
@testable import Operations

/// Local-only backups hold the image files: content-addressed blobs beside the archives, so a
/// second backup of an unchanged library adds no image bytes; restore gives every file back
/// byte for byte, or refuses naming the file whose blob is damaged.
final class BackupImagesTests: XCTestCase {
    private var scratch: String!

    override func setUp() {
        scratch = TestEnvironment.temporaryDirectory("backup-images")
    }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(atPath: scratch) }
    }

    /// A local-only host (no `storage` section) with derivatives rendered, and `count` images.
    private func library(_ label: String, count: Int = 3) async throws -> TestHost {
        let host = try TestHost(label: label, config: "{ imaging: { postProcessing: { automatic: true } } }")
        _ = try await PreviewImages.generate(host, count: count)
        return host
    }

    private func writer(_ host: TestHost, clock: ManualClock) throws -> BackupWriter {
        BackupWriter(sources: BackupSources(catalog: try host.catalog(), dataDirectory: host.paths.data, configFile: host.paths.config),
                     clock: clock.function)
    }

    /// SHA-256 of every regular file under `<data>/content`, by path relative to the data folder.
    private func contentChecksums(_ data: String) throws -> [String: String] {
        var sums: [String: String] = [:]
        let root = data + "/content"
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [:] }
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                sums["content/" + relative] = try LocalFileDigest.compute(fileAt: path).sha256.hex
            }
        }
        return sums
    }

    private func folderBytes(_ folder: String) throws -> Int64 {
        var total: Int64 = 0
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return 0 }
        while let relative = walker.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + relative)
            if attributes[.type] as? FileAttributeType == .typeRegular { total += (attributes[.size] as? NSNumber)?.int64Value ?? 0 }
        }
        return total
    }

    func testLocalOnlyBackupWipeRestoreGivesEveryImageFileBackByChecksum() async throws {
        let host = try await library("images-roundtrip")
        let catalog = try host.catalog()
        let rows = try catalog.imageFiles()
        XCTAssertGreaterThan(rows.count, 3, "originals and their derivatives")
        let before = try contentChecksums(host.paths.data)
        // Every image row and its sidecar is a file under content/.
        for row in rows {
            XCTAssertNotNil(before[row.filePath], "\(row.filePath) not in \(before.keys.sorted())")
        }
        let catalogRows = try CatalogRows.of("images", in: host.paths.catalog)

        let result = try await writer(host, clock: ManualClock(utc(2026, 5, 1, 3, 30))).write(to: .directory(scratch + "/backups"))
        XCTAssertEqual(result.images.files, before.count, "every image file and sidecar is in the backup")
        XCTAssertEqual(result.images.missing, [])
        XCTAssertEqual(Set(result.manifest.images?.map(\.path) ?? []), Set(before.keys))

        // Wipe the data folder, then restore into the same place.
        try FileManager.default.removeItem(atPath: host.paths.data)
        let restorer = BackupRestorer(dataDirectory: host.paths.data, catalogFormat: SQLiteCatalogFileFormat())
        let restored = try await restorer.restoreFiles(archive: result.location)
        XCTAssertEqual(try contentChecksums(host.paths.data), before, "every file back, byte for byte")
        XCTAssertEqual(try CatalogRows.of("images", in: host.paths.catalog), catalogRows)
        XCTAssertTrue(Set(restored.files).isSuperset(of: before.keys))
        let report = try await restorer.refetchImages(client: nil)
        XCTAssertEqual(report.images, rows.count)
        XCTAssertEqual(report.present, rows.count)
        XCTAssertEqual(report.missing.map(\.filePath), [], "nothing is left for a cloud copy that does not exist")
    }

    func testCommandLineRestoreOfALocalOnlyBackupExitsZeroWithEveryImage() async throws {
        let host = try await library("images-cli", count: 2)
        let before = try contentChecksums(host.paths.data)
        let backup = try host.cli(["backup", "--to", scratch + "/cli-backups", "--json"])
        XCTAssertEqual(backup.status, 0, backup.stderr)
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any])
        let location = try XCTUnwrap(result["location"] as? String)
        let images = try XCTUnwrap(result["images"] as? [String: Any])
        XCTAssertEqual(images["files"] as? Int, before.count)

        let target = scratch + "/restored-data"
        let restore = try runImagegen(["restore", location, "--data", target, "--plugins", host.paths.plugins])
        XCTAssertEqual(restore.status, 0, restore.stdout + restore.stderr)
        XCTAssertTrue(restore.stdout.contains("0 missing"), restore.stdout)
        XCTAssertEqual(try contentChecksums(target), before)
    }

    func testASecondBackupOfAnUnchangedLibraryAddsNoImageBytes() async throws {
        let host = try await library("images-incremental", count: 2)
        let clock = ManualClock(utc(2026, 5, 1, 3, 30))
        let destination = scratch + "/backups"
        let first = try await writer(host, clock: clock).write(to: .directory(destination))
        XCTAssertGreaterThan(first.images.bytes, 0)
        let firstEntries = try XCTUnwrap(first.manifest.images)
        XCTAssertEqual(first.images.bytesAdded, distinctBytes(firstEntries), "the first backup stores every distinct content once")
        XCTAssertEqual(first.images.blobsAdded, Set(firstEntries.map(\.sha256)).count)
        let blobs = destination + "/" + LocalBackupBlobStore.folderName
        let blobBytesAfterFirst = try folderBytes(blobs)
        XCTAssertEqual(blobBytesAfterFirst, first.images.bytesAdded)

        clock.set(utc(2026, 5, 2, 3, 30))
        let second = try await writer(host, clock: clock).write(to: .directory(destination))
        XCTAssertEqual(second.images.files, first.images.files)
        XCTAssertEqual(second.images.bytes, first.images.bytes)
        XCTAssertEqual(second.manifest.images, first.manifest.images)
        XCTAssertEqual(second.images.bytesAdded, 0, "nothing new to store")
        XCTAssertEqual(second.images.blobsAdded, 0)
        XCTAssertEqual(try folderBytes(blobs), blobBytesAfterFirst, "measured on disk too")
        print("incremental backup: first added \(first.images.bytesAdded) image bytes (\(first.images.files) files), "
              + "second added \(second.images.bytesAdded); archives \(first.bytes) and \(second.bytes) bytes")

        // One more image: the third backup adds exactly the new content.
        _ = try await PreviewImages.generate(host, count: 1, prompt: "a blue vase")
        clock.set(utc(2026, 5, 3, 3, 30))
        let third = try await writer(host, clock: clock).write(to: .directory(destination))
        let known = Set(firstEntries.map(\.sha256))
        let fresh = (third.manifest.images ?? []).filter { !known.contains($0.sha256) }
        XCTAssertGreaterThanOrEqual(fresh.count, 2, "the new image and its sidecar at least")
        XCTAssertEqual(third.images.bytesAdded, distinctBytes(fresh))
        XCTAssertEqual(try folderBytes(blobs), blobBytesAfterFirst + third.images.bytesAdded)
    }

    private func distinctBytes(_ entries: [BackupManifest.Entry]) -> Int64 {
        Dictionary(entries.map { ($0.sha256, $0.size) }) { a, _ in a }.values.reduce(0, +)
    }

    func testACorruptedOrMissingBlobMakesRestoreFailNamingTheFile() async throws {
        let host = try await library("images-corrupt", count: 2)
        let destination = scratch + "/backups"
        let result = try await writer(host, clock: ManualClock(utc(2026, 5, 1, 3, 30))).write(to: .directory(destination))
        let entries = try XCTUnwrap(result.manifest.images)
        let image = try XCTUnwrap(entries.first { $0.role == .image })
        let store = LocalBackupBlobStore(destination: destination)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: store.path(sha256: image.sha256)))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: store.path(sha256: image.sha256)))
        let sidecar = try XCTUnwrap(entries.first { $0.role == .sidecar && $0.sha256 != image.sha256 })
        try FileManager.default.removeItem(atPath: store.path(sha256: sidecar.sha256))

        let target = scratch + "/target"
        do {
            _ = try await BackupRestorer(dataDirectory: target, catalogFormat: SQLiteCatalogFileFormat()).restoreFiles(archive: result.location)
            XCTFail("a damaged blob must be refused")
        } catch {
            guard case .damaged(_, let parts) = error else { return XCTFail("expected .damaged, got \(error)") }
            XCTAssertEqual(Set(parts.map(\.part)), [image.path, sidecar.path], error.description)
            XCTAssertTrue(error.description.contains(image.path) && error.description.contains("SHA-256"), error.description)
            XCTAssertTrue(error.description.contains("missing"), error.description)
            XCTAssertTrue(error.description.contains("nothing was restored"), error.description)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: target), "a refused restore writes nothing")
    }

    func testABackupStoppedPartWayLeavesThePreviousOneIntactAndARerunCompletes() async throws {
        let host = try await library("images-killed", count: 2)
        let clock = ManualClock(utc(2026, 5, 1, 3, 30))
        let destination = scratch + "/backups"
        let first = try await writer(host, clock: clock).write(to: .directory(destination))
        _ = try await PreviewImages.generate(host, count: 2, prompt: "a green lamp")

        // The next backup dies after storing one new blob (as a killed process would stop).
        clock.set(utc(2026, 5, 2, 3, 30))
        var dying = try writer(host, clock: clock)
        dying.makeBlobStore = { FailingBlobStore(inner: LocalBackupBlobStore(destination: $0), putsBeforeFailure: 1) }
        do {
            _ = try await dying.write(to: .directory(destination))
            XCTFail("the backup must stop")
        } catch {}
        let names = try FileManager.default.contentsOfDirectory(atPath: destination).compactMap(BackupArchiveName.init(fileName:))
        XCTAssertEqual(names.map(\.stem), [first.name], "no half backup under a real name")
        let old = scratch + "/restored-old"
        _ = try await BackupRestorer(dataDirectory: old, catalogFormat: SQLiteCatalogFileFormat()).restoreFiles(archive: first.location)
        XCTAssertEqual(try contentChecksums(old).count, first.images.files, "the previous backup still restores whole")

        // A re-run completes, reusing the blob the stopped run stored.
        let rerun = try await writer(host, clock: clock).write(to: .directory(destination))
        let fresh = Set((rerun.manifest.images ?? []).map(\.sha256)).subtracting((first.manifest.images ?? []).map(\.sha256))
        XCTAssertGreaterThan(fresh.count, 1)
        XCTAssertEqual(rerun.images.blobsAdded, fresh.count - 1)
        let restored = scratch + "/restored-new"
        _ = try await BackupRestorer(dataDirectory: restored, catalogFormat: SQLiteCatalogFileFormat()).restoreFiles(archive: rerun.location)
        XCTAssertEqual(try contentChecksums(restored), try contentChecksums(host.paths.data))
    }
}

/// A blob store that fails after `putsBeforeFailure` stores.
private final class FailingBlobStore: BackupBlobStore, @unchecked Sendable {
    let inner: LocalBackupBlobStore
    let lock = NSLock()
    var remaining: Int
    init(inner: LocalBackupBlobStore, putsBeforeFailure: Int) {
        self.inner = inner
        remaining = putsBeforeFailure
    }
    var location: String { inner.location }
    func storedSize(sha256: String) async throws(BackupError) -> Int64? { try await inner.storedSize(sha256: sha256) }
    func put(fileAt path: String, digest: LocalFileDigest) async throws(BackupError) {
        let allowed = lock.withLock { () -> Bool in
            remaining -= 1
            return remaining >= 0
        }
        guard allowed else { throw .file(path: path, reason: "simulated crash") }
        try await inner.put(fileAt: path, digest: digest)
    }
    func fetch(sha256: String, to path: String) async throws(RestoreError) -> LocalFileDigest {
        try await inner.fetch(sha256: sha256, to: path)
    }
    func withdraw(_ withdrawal: BackupWithdrawal) async throws(BackupError) { try await inner.withdraw(withdrawal) }
    func withdrawals() async throws(RestoreError) -> BackupWithdrawals { try await inner.withdrawals() }
}
