import CVips
import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import CloudStorage
@testable import Crypto
@testable import ImagegenCore
@testable import Imaging
@testable import Operations
@testable import Pipeline
@testable import Security

/// Takedowns (issue 17 item 7) through the real pipeline (Preview, post-processing) and a real
/// S3-compatible store (moto on 127.0.0.1): the image, its derivatives, an identical copy and a
/// near-identical copy go, locally and in the bucket; an unrelated image stays; a tombstone
/// refuses the same template and seed; request and completion times are recorded and audited.
final class TakedownTests: MotoTestCase {

    func testTakedownRemovesImageDerivativesIdenticalAndNearCopiesLocallyAndInTheBucket() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "takedown", postProcessing: true)
        let generator = try bed.host.generator()
        // Preview is deterministic: the same template and seed twice is an identical copy.
        let firstBatch = try await generator.generate(template: "product_lifestyle", variations: 1, seed: 5)
        let twinBatch = try await generator.generate(template: "product_lifestyle", variations: 1, seed: 5)
        let original = try XCTUnwrap(firstBatch.first)
        let twin = try XCTUnwrap(twinBatch.first)
        XCTAssertEqual(original.contentSHA256, twin.contentSHA256)
        XCTAssertNotEqual(original.imageID, twin.imageID)
        let unrelatedBatch = try await generator.generate(template: "product_lifestyle", variations: 1, seed: 77)
        let unrelated = try XCTUnwrap(unrelatedBatch.first)
        let catalog = try bed.host.catalog()
        XCTAssertTrue(try StorageTestBed.waitUntil(seconds: 60) {
            try [original, twin, unrelated].allSatisfy { try catalog.derivatives(of: $0.imageID).count == 6 }
        }, "post-processing rendered the derivatives")
        await generator.shutdown()

        // The near-identical copy: re-encoded as JPEG at 70% of the size, stored as another
        // original (as an import or a re-upload would), with no perceptual hash yet (backfilled).
        let workshop = try ImageWorkshop()
        let originalBytes = try Data(contentsOf: URL(fileURLWithPath: bed.dataDirectory + "/" + original.filePath))
        let decoded = try workshop.verify(originalBytes)
        let nearBytes = try decoded.pixels.resized(horizontalScale: 0.7, verticalScale: 0.7, kernel: VIPS_KERNEL_LANCZOS3)
            .copiedToMemory().encoded(.jpeg(quality: 72, progressive: false, background: .white))
        var near = original
        near.imageID = "img_nearcopy"
        near.jobID = nil
        near.filePath = (original.filePath as NSString).deletingLastPathComponent + "/img_nearcopy.jpg"
        near.mime = "image/jpeg"
        near.bytes = nearBytes.count
        near.contentSHA256 = SHA256Digest.of(Array(nearBytes)).hex
        near.extra = [:]
        let content = ContentStore(dataDirectory: bed.dataDirectory)
        try content.writeImage(Array(nearBytes), relativePath: near.filePath)
        try catalog.storeImage(near, outputIndex: 0, pluginID: nil, providerModel: nil, costSource: "unknown")
        let queue = try bed.queue()
        try queue.enqueue(near, dataDirectory: bed.dataDirectory, sidecar: false, now: Date())

        let unrelatedHash = try workshop.perceptualHash(of: try Data(contentsOf: URL(fileURLWithPath: bed.dataDirectory + "/" + unrelated.filePath)))
        let originalHash = try workshop.perceptualHash(decoded)
        XCTAssertTrue(try workshop.perceptualHash(of: nearBytes).isNearDuplicate(of: originalHash), "the near copy is near")
        XCTAssertGreaterThan(unrelatedHash.distance(to: originalHash), PerceptualHash.nearDuplicateDistance,
                             "precondition: the unrelated image is not a near copy")
        XCTAssertEqual(try catalog.fingerprints().map(\.imageID).sorted(), [original, twin, unrelated].map(\.imageID).sorted(),
                       "hashes are stored with each image at store time")

        // Everything reaches the bucket first.
        let client = try bed.client()
        let sync = try await bed.worker(client: client, queue: queue).sync()
        XCTAssertTrue(sync.succeeded, "\(sync.failures)")
        let doomed = [original, twin, near]
        var doomedKeys: [String] = []
        var doomedFiles: [String] = []
        for image in doomed {
            let rows = try catalog.derivatives(of: image.imageID) + [image]
            for row in rows {
                doomedFiles.append(row.filePath)
                doomedKeys += try queue.items(imageID: row.imageID).compactMap(\.objectKey)
            }
        }
        XCTAssertEqual(doomedKeys.count, 2 * (1 + 6 + 1) + 1, "two originals with six derivatives and a sidecar each, the near copy: \(doomedKeys)")
        for key in doomedKeys { let head = try await client.headObject(key: key); XCTAssertNotNil(head, key) }
        let keptKeys = try ([unrelated] + catalog.derivatives(of: unrelated.imageID)).flatMap { try queue.items(imageID: $0.imageID).compactMap(\.objectKey) }
        XCTAssertEqual(keptKeys.count, 8)

        // The request, received two hours after it was made, names the derivative of the original.
        let requestedAt = Date().addingTimeInterval(-7200)
        // The host's own service: its catalog, imaging, audit trail and a client for the configured bucket.
        let opened = try bed.host.generator()
        let service = try opened.composition.takedownService(environment: [
            "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey])
        let derivative = try XCTUnwrap(try catalog.derivatives(of: original.imageID).first)
        let record = try await service.takeDown(TakedownRequest(target: .image(derivative.imageID),
                                                                reason: "TAKE IT DOWN request", requestedAt: requestedAt))
        XCTAssertEqual(Set(record.images), Set(doomed.map(\.imageID)))
        XCTAssertNotNil(record.completedAt)
        XCTAssertNil(record.lastError)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(record.secondsToCompletion), 7200)

        // Gone locally (files, sidecars) and in the bucket; the unrelated image and its objects stay.
        for file in doomedFiles {
            XCTAssertFalse(FileManager.default.fileExists(atPath: bed.dataDirectory + "/" + file), file)
            XCTAssertFalse(FileManager.default.fileExists(atPath: bed.dataDirectory + "/" + content.sidecarPath(for: file)), file)
        }
        for key in doomedKeys { let head = try await client.headObject(key: key); XCTAssertNil(head, key) }
        for key in keptKeys { let head = try await client.headObject(key: key); XCTAssertNotNil(head, key) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: bed.dataDirectory + "/" + unrelated.filePath))

        // Withdrawn everywhere: status, availability, upload queue (a reconcile queues nothing).
        for image in doomed {
            XCTAssertEqual(try catalog.image(image.imageID)?.status, "taken_down")
            for d in try catalog.derivatives(of: image.imageID) { XCTAssertEqual(d.status, "taken_down") }
            XCTAssertTrue(try queue.items(imageID: image.imageID).isEmpty)
        }
        XCTAssertEqual(try catalog.availableImages(category: nil, tag: nil).map(\.imageID), [unrelated.imageID])
        XCTAssertEqual(try queue.reconcile(dataDirectory: bed.dataDirectory, sidecars: true, now: Date()), 0)

        // Tombstones: the same template and seed is refused (and audited); another seed is not.
        let tombstones = try catalog.tombstones()
        XCTAssertEqual(Set(tombstones.map(\.imageID)), Set(doomed.map(\.imageID)))
        XCTAssertTrue(tombstones.contains { $0.template == "product_lifestyle" && $0.seed == original.parameters.seed })
        do {
            _ = try await opened.generate(template: "product_lifestyle", variations: 1, seed: 5)
            XCTFail("the template and seed of a taken-down image must be refused")
        } catch let refusal as TakenDownRefusal {
            XCTAssertEqual(refusal.takedownID, record.id)
        }
        await opened.shutdown()

        // Listed with its time to completion; audited with request and completion times.
        let listed = try XCTUnwrap(try catalog.takedowns(limit: 10).first)
        XCTAssertEqual(listed.id, record.id)
        XCTAssertEqual(listed.secondsToCompletion, record.secondsToCompletion)
        let audit = try AuditLogReader(path: bed.dataDirectory + "/audit.log")
            .entries(actions: [.takedownRequest, .takedownCompletion, .takedownRefusal]).entries
        XCTAssertEqual(audit.map(\.action), [.takedownRequest, .takedownCompletion, .takedownRefusal])
        XCTAssertEqual(audit[0].details["requested_at"], RecordTime.iso(requestedAt))
        XCTAssertNotNil(audit[1].details["completed_at"])
        XCTAssertEqual(audit[1].subject, record.id)
    }

    func testLikeFileAndSHA256FindCopiesAndAFailedCloudDeleteLeavesTheRequestOpenForResume() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "takedown-like")
        let records = try await bed.generate(2)
        let client = try bed.client()
        let queue = try bed.queue()
        let synced = try await bed.worker(client: client, queue: queue).sync()
        XCTAssertTrue(synced.succeeded)
        let catalog = try bed.host.catalog()
        let content = ContentStore(dataDirectory: bed.dataDirectory)
        let workshop = try ImageWorkshop()

        // --like with a re-encoded copy the requester found online.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: bed.dataDirectory + "/" + records[0].filePath))
        let found = try workshop.verify(bytes).pixels.encoded(.webp(quality: 60, effort: 1))
        // A client whose requests cannot reach the store: the images are withdrawn, the objects stay, the request stays open.
        let dead = try bed.client(endpoint: URL(string: "http://127.0.0.1:9")!) { $0.retryPolicy = .none }
        let failing = TakedownService(catalog: catalog, content: content, workshop: workshop, cloud: dead, audit: nil, log: bed.host.log)
        let failure = await refusal { _ = try await failing.takeDown(TakedownRequest(target: .like(name: "found.webp", bytes: found), reason: "report")) }
        guard case .incomplete? = failure else { return XCTFail("a failed cloud delete must not report the takedown complete: \(String(describing: failure))") }
        let open = try XCTUnwrap(try catalog.takedowns(limit: 5).first)
        XCTAssertNil(open.completedAt)
        XCTAssertNotNil(open.lastError)
        XCTAssertEqual(open.images, [records[0].imageID])
        XCTAssertEqual(try catalog.image(records[0].imageID)?.status, "taken_down", "withdrawn at once")
        let key = try XCTUnwrap(open.cleanup.objectKeys.first { $0.hasSuffix(".png") })
        let stillThere = try await client.headObject(key: key)
        XCTAssertNotNil(stillThere)

        let service = TakedownService(catalog: catalog, content: content, workshop: workshop, cloud: client, audit: nil, log: bed.host.log)
        let resumed = try await service.resume()
        XCTAssertEqual(resumed.map(\.id), [open.id])
        XCTAssertNotNil(resumed.first?.completedAt)
        let gone = try await client.headObject(key: key)
        XCTAssertNil(gone)

        // --sha256 of the second image; a wrong hash is refused before anything is recorded.
        let bySHA = try await service.takeDown(TakedownRequest(target: .sha256(records[1].contentSHA256.uppercased()), reason: "report"))
        XCTAssertEqual(bySHA.images, [records[1].imageID])
        let badHash = await refusal { _ = try await service.takeDown(TakedownRequest(target: .sha256("abc"), reason: "report")) }
        XCTAssertEqual(badHash, .invalidSHA256("abc"))
        let noReason = await refusal { _ = try await service.takeDown(TakedownRequest(target: .image(records[1].imageID), reason: " ")) }
        XCTAssertEqual(noReason, .missingReason)
        XCTAssertEqual(try catalog.takedowns(limit: 10).count, 2)
    }

    /// The takedown error `body` ended with (nil when it succeeded).
    private func refusal(_ body: () async throws -> Void) async -> TakedownError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? TakedownError
        }
    }

    func testCLITakesDownAndListsWithTimeToCompletion() async throws {
        let host = try TestHost(label: "takedown-cli")
        let generator = try host.generator()
        let made = try await generator.generateCustom(prompt: "a red teapot on a wooden table",
                                                      parameters: GenerationParameters(width: 128, height: 128, seed: 3))
        let image = try XCTUnwrap(made.first)
        await generator.shutdown()
        let refused = try host.cli(["takedown", image.imageID])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--reason"), refused.stderr)
        let done = try host.cli(["takedown", image.imageID, "--reason", "request by email", "--requested-at", "2h"])
        XCTAssertEqual(done.status, 0, done.stderr)
        XCTAssertTrue(done.stdout.contains("1 image(s) taken down"), done.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: host.paths.data + "/" + image.filePath))
        let list = try host.cli(["takedown", "list", "--json"])
        XCTAssertEqual(list.status, 0, list.stderr)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?["images"] as? [String], [image.imageID])
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(rows.first?["seconds_to_completion"] as? Double), 7200 - 60)
        let twice = try host.cli(["takedown", image.imageID, "--reason", "again"])
        XCTAssertEqual(twice.status, 1, "already taken down is a conflict: \(twice.stderr)")
    }
}
