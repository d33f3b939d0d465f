import Foundation
import XCTest
@testable import Host
@testable import CloudStorage
@testable import ImagegenConfig
@testable import Operations
@testable import CatalogSQLite
@testable import ImagegenCore

/// The `storage` and `backup` config sections: defaults, local-only mode, and errors that name the key.
final class StorageConfigurationTests: XCTestCase {
    private func configuration(_ text: String) throws -> Configuration {
        try Configuration.parse(Data(text.utf8), file: "test.json5")
    }

    private func storageError(_ text: String) -> String {
        do {
            _ = try StorageConfiguration.load(from: try configuration(text), file: "test.json5")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testNoStorageSectionIsLocalOnly() throws {
        XCTAssertNil(try StorageConfiguration.load(from: try configuration("{}"), file: "test.json5"))
        XCTAssertNil(try BackupConfiguration.load(from: try configuration("{}"), file: "test.json5"))
    }

    func testFullSectionAndDefaults() throws {
        let storage = try XCTUnwrap(try StorageConfiguration.load(from: try configuration("""
            { storage: { s3: { endpoint: "http://127.0.0.1:9000", region: "eu-west-1", bucket: "renders", prefix: "prod/images",
                               credentials_file: "/etc/imagegen/s3" }, concurrency: 8, max_attempts: 5 } }
            """), file: "test.json5"))
        XCTAssertEqual(storage.concurrency, 8)
        XCTAssertEqual(storage.maxAttempts, 5)
        XCTAssertTrue(storage.s3.pathStyle, "a custom endpoint defaults to path-style")
        let s3 = storage.s3Configuration()
        XCTAssertEqual(s3.endpoint.absoluteString, "http://127.0.0.1:9000")
        XCTAssertEqual(s3.region, "eu-west-1")
        XCTAssertEqual(s3.bucket, "renders")
        XCTAssertEqual(s3.keyPrefix, "prod/images")
        XCTAssertEqual(s3.addressing, .path)

        let aws = try XCTUnwrap(try StorageConfiguration.load(from: try configuration(
            #"{ storage: { s3: { bucket: "b", region: "eu-central-1" } } }"#), file: "test.json5"))
        XCTAssertEqual(aws.s3Configuration().endpoint.absoluteString, "https://s3.eu-central-1.amazonaws.com")
        XCTAssertEqual(aws.s3Configuration().addressing, .virtualHosted)
        XCTAssertEqual(aws.concurrency, 4)
        XCTAssertEqual(aws.maxAttempts, 8)
        XCTAssertTrue(aws.sidecars)
    }

    func testErrorsNameTheKey() {
        XCTAssertTrue(storageError("{ storage: {} }").contains("storage.s3"), storageError("{ storage: {} }"))
        let noBucket = storageError(#"{ storage: { s3: { endpoint: "http://x:1" } } }"#)
        XCTAssertTrue(noBucket.contains("storage.s3.bucket") && noBucket.contains("required"), noBucket)
        let typo = storageError(#"{ storage: { s3: { bukcet: "b" } } }"#)
        XCTAssertTrue(typo.contains("storage.s3.bukcet"), typo)
        let endpoint = storageError(#"{ storage: { s3: { bucket: "b", endpoint: "ftp://x" } } }"#)
        XCTAssertTrue(endpoint.contains("storage.s3.endpoint"), endpoint)
        let concurrency = storageError(#"{ storage: { s3: { bucket: "b" }, concurrency: 0 } }"#)
        XCTAssertTrue(concurrency.contains("storage.concurrency") && concurrency.contains("1...64"), concurrency)
        let attempts = storageError(#"{ storage: { s3: { bucket: "b" }, max_attempts: "x" } }"#)
        XCTAssertTrue(attempts.contains("storage.max_attempts"), attempts)
    }

    func testBackupSection() throws {
        let backup = try XCTUnwrap(try BackupConfiguration.load(from: try configuration(
            #"{ backup: { to: "s3://bkt/imagegen/backups", keep_daily: 3, keep_weekly: 2, at: "04:15", format: "directory" } }"#),
            file: "test.json5"))
        XCTAssertEqual(backup.keepDaily, 3)
        XCTAssertEqual(backup.keepWeekly, 2)
        XCTAssertEqual(backup.hour, 4)
        XCTAssertEqual(backup.minute, 15)
        XCTAssertEqual(backup.format, .directory)
        XCTAssertEqual(try BackupDestination(parsing: try XCTUnwrap(backup.to), dataDirectory: "/d"),
                       .s3(bucket: "bkt", prefix: "imagegen/backups"))
        let defaults = try XCTUnwrap(try BackupConfiguration.load(from: try configuration("{ backup: {} }"), file: "t"))
        XCTAssertEqual(defaults.retention, BackupRetention(keepDaily: 7, keepWeekly: 4))
        XCTAssertEqual(defaults.format, .tarGzip)
        for (text, key) in [(#"{ backup: { at: "25:00" } }"#, "backup.at"), (#"{ backup: { to: "ftp://x" } }"#, "backup.to"),
                            (#"{ backup: { keep_daily: -1 } }"#, "backup.keep_daily"), (#"{ backup: { kept: 1 } }"#, "backup.kept")] {
            do {
                _ = try BackupConfiguration.load(from: try configuration(text), file: "t")
                XCTFail("\(text) must be refused")
            } catch {
                XCTAssertTrue("\(error)".contains(key), "\(error)")
            }
        }
    }

    func testServeBackgroundTasksFollowTheConfiguration() throws {
        let root = TestEnvironment.temporaryDirectory("storage-tasks")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let paths = HostPaths(config: nil, plugins: root + "/plugins", data: root + "/data")
        let catalog = try SQLiteCatalog(path: paths.catalog)
        let (log, _) = TestEnvironment.capturingLog()
        let none = try StorageBackgroundTasks.make(configuration: try configuration("{}"), paths: paths, catalog: catalog, log: log,
                                                   environment: [:])
        XCTAssertNil(none.uploadWorker, "local-only: no worker")
        XCTAssertNil(none.backupScheduler, "no backup section: no schedule")
        let tables = try catalog.database.query("SELECT name FROM sqlite_master WHERE name = 'uploads'")
        XCTAssertTrue(tables.isEmpty, "local-only mode creates no upload table")

        let both = try StorageBackgroundTasks.make(
            configuration: try configuration(#"{ storage: { s3: { endpoint: "http://127.0.0.1:9", bucket: "b" } }, backup: {} }"#),
            paths: paths, catalog: catalog, log: log, environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s"])
        XCTAssertNotNil(both.uploadWorker)
        XCTAssertNotNil(both.backupScheduler)

        XCTAssertThrowsError(try StorageBackgroundTasks.make(
            configuration: try configuration(#"{ storage: { s3: { bucket: "b" } } }"#), paths: paths, catalog: catalog, log: log,
            environment: [:])) { error in
            XCTAssertTrue("\(error)".contains("AWS_ACCESS_KEY_ID"), "\(error)")
        }
    }
}
