import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import CloudStorage
@testable import DurableFiles
@testable import ImagegenCore
@testable import Operations

/// Backups taken while the pipeline writes, restored into empty folders and compared row by row;
/// damaged archives refused with the damaged part named; non-empty targets refused.
final class BackupRestoreTests: XCTestCase {
    private var scratch: String!

    override func setUp() {
        scratch = TestEnvironment.temporaryDirectory("backup")
    }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(atPath: scratch) }
    }

    /// A host with a template, an audit log, and some images.
    private func populatedHost(_ label: String) async throws -> TestHost {
        let host = try TestHost(label: label, config: "{ imaging: { postProcessing: { automatic: false } } }")
        // Open the host once first, so its key exists before the (fake) audit logs: an audit log
        // without its key makes the host refuse to open (the data folder would be locked).
        _ = try host.catalog()
        try AtomicFile.write(Array("{ name: \"shelf\", category: \"product\", template: \"a {color} shelf\" }\n".utf8),
                             to: host.paths.data + "/templates/product/shelf.json5")
        try AtomicFile.write(Array("{\"seq\":1,\"action\":\"generate\"}\n".utf8), to: host.paths.data + "/audit.log")
        try AtomicFile.write(Array("{\"seq\":0}\n".utf8), to: host.paths.data + "/audit.log.1")
        return host
    }

    private func writer(_ host: TestHost, format: BackupFormat = .tarGzip) throws -> BackupWriter {
        // Its own connection, as `imagegen backup` next to a running server would have.
        BackupWriter(sources: BackupSources(catalog: try host.catalog(), dataDirectory: host.paths.data, configFile: host.paths.config),
                     format: format)
    }

    private func assertSameRows(_ table: String, _ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let left = try CatalogRows.of(table, in: a)
        let right = try CatalogRows.of(table, in: b)
        XCTAssertEqual(left.count, right.count, "\(table) row count", file: file, line: line)
        for (l, r) in zip(left, right) { XCTAssertEqual(l, r, "\(table) row differs", file: file, line: line) }
    }

    func testBackupWhileGenerationsRunRestoresAConsistentCatalogRowByRow() async throws {
        let host = try await populatedHost("backup-live")
        let generator = try host.generator()
        let generating = Task {
            var records: [ImageRecord] = []
            for round in 0..<8 {
                records += try await generator.generateCustom(prompt: "a shelf, take \(round)",
                                                              parameters: GenerationParameters(width: 64, height: 64, seed: UInt32(round)),
                                                              variations: 3)
            }
            return records
        }
        XCTAssertTrue(try StorageTestBed.waitUntil { try host.catalog().images(ImageFilter()).count >= 1 })
        let during = try await writer(host).write(to: .directory(scratch + "/during"))
        let records = try await generating.value
        await generator.shutdown()
        XCTAssertEqual(records.count, 24)

        // The snapshot taken mid-run restores, and every row in it is exactly the source's row:
        // each image arrives with its ledger entry, never one without the other.
        let midRun = scratch + "/restored-during"
        let restorer = BackupRestorer(dataDirectory: midRun, catalogFormat: SQLiteCatalogFileFormat())
        let restored = try await restorer.restoreFiles(archive: during.location)
        XCTAssertEqual(Set(restored.files.filter { !$0.hasPrefix("content/") }),
                       ["catalog.sqlite", "config.json5", "templates/product/shelf.json5", "audit.log", "audit.log.1"])
        // The image files are exactly those of the snapshot's rows (and their sidecars), whatever was written after.
        let midRunImages = Set(restored.files.filter { $0.hasPrefix("content/") && !$0.hasSuffix(".json") })
        XCTAssertEqual(midRunImages, Set(try CatalogRows.of("images", in: midRun + "/catalog.sqlite").compactMap { $0["file_path"]?.string }))
        let source = host.paths.catalog
        let finalImages = CatalogRows.byID(try CatalogRows.of("images", in: source))
        let snapshotImages = try CatalogRows.of("images", in: midRun + "/catalog.sqlite")
        XCTAssertGreaterThanOrEqual(snapshotImages.count, 1)
        XCTAssertEqual(snapshotImages.count, during.manifest.catalog.images)
        for row in snapshotImages { XCTAssertEqual(row, finalImages[row["id"]?.string ?? ""]) }
        let snapshotLedger = try CatalogRows.of("ledger", in: midRun + "/catalog.sqlite")
        XCTAssertEqual(Set(snapshotLedger.compactMap { $0["image_id"]?.string }), Set(snapshotImages.compactMap { $0["id"]?.string }))
        let finalLedger = CatalogRows.byID(try CatalogRows.of("ledger", in: source))
        for row in snapshotLedger { XCTAssertEqual(row, finalLedger[CatalogRows.byID([row]).keys.first!]) }
        let finalJobs = CatalogRows.byID(try CatalogRows.of("jobs", in: source))
        for row in try CatalogRows.of("jobs", in: midRun + "/catalog.sqlite") where row["state"]?.string == "succeeded" {
            XCTAssertEqual(row, finalJobs[row["id"]?.string ?? ""])
        }

        // A backup once the work is done restores to the identical catalog, row by row.
        let after = try await writer(host).write(to: .directory(scratch + "/after"))
        let quiet = scratch + "/restored-after"
        _ = try await BackupRestorer(dataDirectory: quiet, catalogFormat: SQLiteCatalogFileFormat()).restoreFiles(archive: after.location)
        for table in ["jobs", "images", "ledger"] { try assertSameRows(table, source, quiet + "/catalog.sqlite") }
        XCTAssertEqual(try String(contentsOfFile: quiet + "/templates/product/shelf.json5", encoding: .utf8),
                       try String(contentsOfFile: host.paths.data + "/templates/product/shelf.json5", encoding: .utf8))
        XCTAssertEqual(FileManager.default.contents(atPath: quiet + "/audit.log"), FileManager.default.contents(atPath: host.paths.data + "/audit.log"))
        XCTAssertEqual(FileManager.default.contents(atPath: quiet + "/config.json5"), FileManager.default.contents(atPath: host.paths.config!))

        // The restored folder is a working data folder: the library opens it and sees every image.
        let reopened = try ImageGenerator(configuration: .init(paths: HostPaths(config: quiet + "/config.json5", plugins: host.paths.plugins,
                                                                                   data: quiet), log: host.log))
        XCTAssertEqual(try reopened.service.catalog.images(ImageFilter(limit: 1000)).count, 24)
        await reopened.shutdown()
        // Without a cloud copy every image file is back from the backup itself.
        let images = try await BackupRestorer(dataDirectory: quiet, catalogFormat: SQLiteCatalogFileFormat()).refetchImages(client: nil)
        XCTAssertEqual(images.images, 24)
        XCTAssertEqual(images.present, 24)
        XCTAssertEqual(images.missing.count, 0)
    }

    func testManifestRecordsEveryFileWithItsChecksum() async throws {
        let host = try await populatedHost("backup-manifest")
        _ = try await PreviewImages.generate(host)
        let result = try await writer(host, format: .directory).write(to: .directory(scratch + "/out"))
        let folder = result.location
        XCTAssertTrue(result.name.hasPrefix("imagegen-backup-"))
        let manifest = try JSONDecoder().decode(BackupManifest.self, from: try Data(contentsOf: URL(fileURLWithPath: folder + "/manifest.json")))
        XCTAssertEqual(manifest, result.manifest)
        XCTAssertEqual(manifest.formatVersion, 2)
        XCTAssertEqual(manifest.imagegenVersion, ImagegenVersion.current)
        XCTAssertEqual(manifest.catalog.images, 1)
        XCTAssertEqual(Dictionary(grouping: manifest.files, by: \.role).mapValues(\.count), [.catalog: 1, .config: 1, .template: 1, .audit: 2])
        for entry in manifest.files {
            let digest = try LocalFileDigest.compute(fileAt: folder + "/" + entry.path)
            XCTAssertEqual(digest.sha256.hex, entry.sha256, entry.path)
            XCTAssertEqual(digest.size, entry.size, entry.path)
        }
        let recorded = try String(contentsOfFile: folder + "/manifest.sha256", encoding: .utf8)
        XCTAssertEqual(recorded, "\(try LocalFileDigest.compute(fileAt: folder + "/manifest.json").sha256.hex)  manifest.json\n")
        XCTAssertEqual(Dictionary(grouping: manifest.images ?? [], by: \.role).mapValues(\.count), [.image: 1, .sidecar: 1])
        // No temporary leftovers at the destination: the backup and the blob store.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch + "/out").sorted(), ["blobs", result.name])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch + "/out/blobs").filter { $0.hasPrefix(".") }, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/catalog.sqlite-wal"))
    }

    func testDamagedArchivesAreRefusedNamingTheDamagedPart() async throws {
        let host = try await populatedHost("backup-damaged")
        _ = try await PreviewImages.generate(host)

        // A folder backup with a changed template and a missing audit file.
        let folder = try await writer(host, format: .directory).write(to: .directory(scratch + "/dir")).location
        try Data("{ tampered }\n".utf8).write(to: URL(fileURLWithPath: folder + "/templates/product/shelf.json5"))
        try FileManager.default.removeItem(atPath: folder + "/audit/audit.log.1")
        await assertRefused(folder, naming: ["templates/product/shelf.json5", "audit/audit.log.1"])

        // A .tar.gz whose catalog was altered (and repacked, so the compression itself is sound).
        let archive = try await writer(host).write(to: .directory(scratch + "/tgz")).location
        let unpacked = scratch + "/unpacked"
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        XCTAssertEqual(try SystemTar.run(["-xzf", archive, "-C", unpacked]).status, 0)
        let top = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: unpacked).first)
        let catalogPath = unpacked + "/" + top + "/catalog.sqlite"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: catalogPath))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: catalogPath))
        let repacked = scratch + "/repacked.tar.gz"
        try SystemTar.pack(folder: unpacked + "/" + top, into: repacked)
        await assertRefused(repacked, naming: ["catalog.sqlite"])

        // A manifest edited to match the tampered catalog is caught by manifest.sha256.
        var manifest = try JSONDecoder().decode(BackupManifest.self, from: Data(contentsOf: URL(fileURLWithPath: unpacked + "/" + top + "/manifest.json")))
        manifest.files[0].sha256 = try LocalFileDigest.compute(fileAt: catalogPath).sha256.hex
        try manifest.encoded().write(to: URL(fileURLWithPath: unpacked + "/" + top + "/manifest.json"))
        await assertRefused(unpacked + "/" + top, naming: ["manifest.json"])

        // Bytes flipped inside the compressed file itself.
        var compressed = try Data(contentsOf: URL(fileURLWithPath: archive))
        for offset in stride(from: compressed.count / 3, to: compressed.count * 2 / 3, by: 97) { compressed[offset] ^= 0x5A }
        let corrupt = scratch + "/corrupt.tar.gz"
        try compressed.write(to: URL(fileURLWithPath: corrupt))
        await assertRefused(corrupt, naming: [])

        // Nothing was written to any target.
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch + "/target"))
    }

    private func assertRefused(_ archive: String, naming parts: [String], file: StaticString = #filePath, line: UInt = #line) async {
        let target = scratch + "/target"
        do {
            _ = try await BackupRestorer(dataDirectory: target, catalogFormat: SQLiteCatalogFileFormat()).restoreFiles(archive: archive)
            XCTFail("\(archive) must be refused", file: file, line: line)
        } catch {
            guard case .damaged(_, let damaged) = error else {
                return XCTFail("expected .damaged, got \(error)", file: file, line: line)
            }
            XCTAssertFalse(damaged.isEmpty, file: file, line: line)
            for part in parts {
                XCTAssertTrue(damaged.contains { $0.part == part }, "\(part) not named in: \(error)", file: file, line: line)
            }
            XCTAssertTrue(error.description.contains("nothing was restored"), error.description, file: file, line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: target), "a refused restore writes nothing", file: file, line: line)
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).filter { $0.hasPrefix(".imagegen-restore-") }
        XCTAssertEqual(leftovers, [], "scratch folders are cleaned up", file: file, line: line)
    }

    func testRestoreRefusesANonEmptyFolderAndSaysWhy() async throws {
        let host = try await populatedHost("backup-nonempty")
        _ = try await PreviewImages.generate(host)
        let archive = try await writer(host).write(to: .directory(scratch + "/b")).location
        let target = scratch + "/occupied"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: target + "/notes.txt"))
        do {
            _ = try await BackupRestorer(dataDirectory: target, catalogFormat: SQLiteCatalogFileFormat()).restoreFiles(archive: archive)
            XCTFail("a non-empty folder must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("not empty") && "\(error)".contains("notes.txt"), "\(error)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target), ["notes.txt"])

        // Through the command line: the host's own data folder is not empty; exit code 2 (invalid input).
        let out = try host.cli(["restore", archive])
        XCTAssertEqual(out.status, 2, out.stderr)
        XCTAssertTrue(out.stderr.contains("not empty"), out.stderr)
        // An empty folder is fine.
        let empty = scratch + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let restored = try await BackupRestorer(dataDirectory: empty, catalogFormat: SQLiteCatalogFileFormat()).restoreFiles(archive: archive)
        XCTAssertEqual(restored.manifest.catalog.images, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: empty + "/catalog.sqlite"))
    }
}

/// Generation for tests that need a few images but no cloud storage.
enum PreviewImages {
    static func generate(_ host: TestHost, count: Int = 1, prompt: String = "a shelf") async throws -> [ImageRecord] {
        let generator = try host.generator()
        let records = try await generator.generateCustom(prompt: prompt, parameters: GenerationParameters(width: 64, height: 64, seed: 3),
                                                         variations: count)
        await generator.shutdown()
        return records
    }
}
