import Foundation
import XCTest
@testable import Catalog
@testable import CloudStorage
@testable import Composition
@testable import Host
@testable import ImagegenCore
@testable import Operations

/// Retention on a host with a bucket (moto on 127.0.0.1): a rejected image that was uploaded
/// before its review loses its cloud copy (file and sidecar) with its local files; the images
/// that stay keep theirs, and a run that finds the objects already gone still completes.
final class RetentionCloudTests: MotoTestCase {

    func testAPurgedImageLosesItsUploadedCopyAndAKeptOneKeepsIt() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "retention-cloud", extraConfig: ", retention: { rejected_days: 30 }")
        let records = try await bed.generate(2, prompt: "a teapot on a shelf")
        let (rejected, kept) = (records[0], records[1])
        let client = try bed.client()
        let queue = try bed.queue()
        let sync = try await bed.worker(client: client, queue: queue).sync()
        XCTAssertTrue(sync.succeeded, "\(sync.failures)")
        func keys(_ image: ImageRecord) throws -> [String] { try queue.items(imageID: image.imageID).compactMap(\.objectKey) }
        let rejectedKeys = try keys(rejected), keptKeys = try keys(kept)
        XCTAssertEqual(rejectedKeys.count, 2, "the image and its sidecar were uploaded: \(rejectedKeys)")
        for key in rejectedKeys + keptKeys {
            let head = try await client.headObject(key: key)
            XCTAssertNotNil(head, key)
        }

        let catalog = try bed.host.catalog()
        let now = Date()
        _ = try catalog.review(imageIDs: [rejected.imageID], decision: .reject(reason: "off-brand"), reviewer: "user:rev",
                               now: now.addingTimeInterval(-31 * 86_400))
        let generator = try bed.host.generator()
        let service = try generator.composition.retentionService(environment: [
            "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey])
        let report = try await service.run(now: now, apply: true)
        XCTAssertEqual(report.images.map(\.imageID), [rejected.imageID])
        XCTAssertEqual(report.failures, [:])
        XCTAssertEqual(report.objectsDeleted, 2)
        for key in rejectedKeys {
            let head = try await client.headObject(key: key)
            XCTAssertNil(head, "\(key) is gone from the bucket")
        }
        for key in keptKeys {
            let head = try await client.headObject(key: key)
            XCTAssertNotNil(head, "\(key) of the kept image stays")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: bed.dataDirectory + "/" + rejected.filePath))
        XCTAssertEqual(try catalog.image(rejected.imageID)?.status, ImageRecord.purged)
        await generator.shutdown()
    }

    /// A bucket the host cannot reach leaves the image a candidate with its local files, so the
    /// next run deletes the cloud copy instead of leaving it behind a purged row.
    func testACloudDeleteThatFailsLeavesTheImageForTheNextRun() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "retention-cloud-fail", extraConfig: ", retention: { rejected_days: 30 }")
        let rejected = try await bed.generate(1)[0]
        let catalog = try bed.host.catalog()
        let now = Date()
        _ = try catalog.review(imageIDs: [rejected.imageID], decision: .reject(reason: "blurred"), reviewer: "user:rev",
                               now: now.addingTimeInterval(-31 * 86_400))
        let generator = try bed.host.generator()
        let refused = try generator.composition.retentionService(environment: [
            "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": "not-the-key"])
        let failed = try await refused.run(now: now, apply: true)
        XCTAssertEqual(Array(failed.failures.keys), [rejected.imageID])
        XCTAssertFalse(failed.failures[rejected.imageID]?.contains("not-the-key") ?? true, "no secret in the error")
        XCTAssertTrue(FileManager.default.fileExists(atPath: bed.dataDirectory + "/" + rejected.filePath), "kept for the next run")
        XCTAssertEqual(try catalog.image(rejected.imageID)?.status, ImageRecord.completed)

        let service = try generator.composition.retentionService(environment: [
            "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey])
        let report = try await service.run(now: now, apply: true)
        XCTAssertEqual(report.failures, [:])
        XCTAssertEqual(try catalog.image(rejected.imageID)?.status, ImageRecord.purged)
        await generator.shutdown()
    }
}
