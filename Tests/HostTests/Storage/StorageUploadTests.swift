import Foundation
import XCTest
@testable import Host
@testable import CatalogSQLite
@testable import CloudStorage
@testable import Crypto
@testable import DurableFiles
@testable import ImagegenCore
@testable import Operations
@testable import Pipeline
@testable import PluginHost

/// The upload queue and worker against a real S3-compatible server (moto, signature-verifying) on
/// 127.0.0.1, with images made by the real pipeline (Preview). Each test has its own host and
/// bucket; every S3 request is bounded (10 s timeout, ≤ 4 tries with ≤ 200 ms waits).
final class StorageUploadTests: MotoTestCase {
    private var proxy: FaultInjectingProxy?

    override func tearDown() async throws {
        proxy?.stop()
        proxy = nil
    }

    private func puts(_ proxy: FaultInjectingProxy) -> [String] {
        proxy.requestLines().filter { $0.hasPrefix("PUT ") }
    }

    func testStoredImageIsQueuedUploadedWithMetadataAndVerified() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "upload")
        let records = try await bed.generate()
        let record = try XCTUnwrap(records.first)

        // The storing hook queued the image and its sidecar.
        let queue = try bed.queue()
        let queued = try queue.items(state: .pending)
        XCTAssertEqual(Set(queued.map(\.kind)), [.image, .sidecar])
        XCTAssertEqual(Set(queued.map(\.filePath)), [record.filePath, UploadQueue.sidecarPath(for: record.filePath)])

        let client = try bed.client()
        let report = try await bed.worker(client: client, queue: queue).sync()
        XCTAssertEqual(report.uploaded, 2, "\(report.failures)")
        XCTAssertTrue(report.succeeded)

        let image = try XCTUnwrap(try queue.items(imageID: record.imageID).first { $0.kind == .image })
        XCTAssertEqual(image.state, .uploaded)
        let key = "renders/" + record.filePath.dropFirst("content/".count)
        XCTAssertEqual(image.objectKey, key)
        XCTAssertEqual(image.objectURL, "\(moto.endpoint.absoluteString)/\(bed.bucket)/\(key)")
        XCTAssertEqual(image.sha256, record.contentSHA256)

        let head = try await client.headObject(key: key)
        let info = try XCTUnwrap(head)
        XCTAssertEqual(info.contentType, "image/png")
        XCTAssertEqual(info.metadata["image-id"], record.imageID)
        XCTAssertEqual(info.metadata["category"], record.category)
        XCTAssertEqual(info.metadata["model"], "preview")
        XCTAssertEqual(info.metadata["kind"], "image")
        XCTAssertEqual(info.metadata[S3ObjectMetadata.contentSHA256Name], record.contentSHA256)
        for value in info.metadata.values.values {
            XCTAssertFalse(value.contains("teapot"), "object metadata must never carry prompt text: \(value)")
        }
        let stored = try await client.getObject(key: key)
        XCTAssertEqual(SHA256Digest.of(stored).hex, record.contentSHA256)

        // Verify: everything matches; then a deleted object and a replaced one are reported.
        let verifier = UploadVerifier(queue: queue, client: client)
        let clean = try await verifier.verify()
        XCTAssertEqual(clean.checked, 2)
        XCTAssertTrue(clean.isClean, "\(clean.problems)")
        try await client.deleteObject(key: key)
        let sidecarKey = String(UploadQueue.sidecarPath(for: key))
        _ = try await client.putObject(Data("{}".utf8), key: sidecarKey, contentType: "application/json")
        let broken = try await verifier.verify(repair: true)
        XCTAssertEqual(broken.missing.map(\.key), [key])
        XCTAssertEqual(broken.different.map(\.key), [sidecarKey])
        XCTAssertEqual(broken.requeued, 2)
        XCTAssertEqual(try queue.items(state: .pending).count, 2, "repair queues both files again")
        let again = try await bed.worker(client: client, queue: queue).sync()
        XCTAssertEqual(again.uploaded, 2)
        let fixed = try await verifier.verify()
        XCTAssertTrue(fixed.isClean, "\(fixed.problems)")
    }

    func testDerivativesFromPostProcessingAreQueuedAndUploadedBesideTheirOriginal() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "derivatives", postProcessing: true)
        let records = try await bed.generate()
        let record = try XCTUnwrap(records.first)
        let queue = try bed.queue()
        let queued = try queue.items(state: .pending)
        XCTAssertEqual(queued.filter { $0.kind == .derivative }.count, 6, "\(queued.map(\.filePath))")
        XCTAssertEqual(queued.count, 8, "the original, its sidecar and six derivatives")

        let client = try bed.client()
        let report = try await bed.worker(client: client, queue: queue).sync()
        XCTAssertEqual(report.uploaded, 8, "\(report.failures)")
        let derivative = try XCTUnwrap(try bed.host.catalog().derivatives(of: record.imageID).first)
        let row = try XCTUnwrap(try queue.items(imageID: derivative.imageID).first)
        XCTAssertEqual(row.kind, .derivative)
        XCTAssertEqual(row.state, .uploaded)
        XCTAssertEqual(row.sha256, derivative.contentSHA256)
        let head = try await client.headObject(key: try XCTUnwrap(row.objectKey))
        let info = try XCTUnwrap(head)
        XCTAssertEqual(info.contentType, derivative.mime)
        XCTAssertEqual(info.metadata["variant"], derivative.variant)
        XCTAssertEqual(info.metadata["image-id"], derivative.imageID)
    }

    func testWrongSecretIsRecordedOnTheRowAsAClearAuthError() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "wrong-secret")
        let records = try await bed.generate()
        let wrongSecret = "wrong-secret-value-0123456789"
        let client = try bed.client(credentials: AWSCredentials(accessKeyID: moto.credentials.accessKeyID,
                                                                secretAccessKey: wrongSecret))
        let queue = try bed.queue()
        let report = try await bed.worker(client: client, queue: queue).sync()
        XCTAssertEqual(report.uploaded, 0)
        XCTAssertEqual(report.failures.count, 2)
        XCTAssertFalse(report.failures[0].willRetry, "a wrong secret cannot be fixed by waiting")

        let row = try XCTUnwrap(try queue.items(imageID: records[0].imageID).first { $0.kind == .image })
        XCTAssertEqual(row.state, .failed)
        XCTAssertEqual(row.attempts, 1)
        let error = try XCTUnwrap(row.lastError)
        XCTAssertTrue(error.contains("SignatureDoesNotMatch"), error)
        XCTAssertTrue(error.contains(moto.credentials.accessKeyID), error)
        XCTAssertFalse(error.contains(wrongSecret), "the secret must never appear in an error")
        XCTAssertFalse(bed.host.lines.lines.joined().contains(wrongSecret))

        // The failure raised an alert per file and shows in the status summary.
        let failed = bed.alerts.alerts.compactMap { alert -> String? in
            if case .fileFailed(let path, _, _) = alert { return path }
            return nil
        }
        XCTAssertEqual(Set(failed), [row.filePath, UploadQueue.sidecarPath(for: row.filePath)])
        let summary = try queue.summary(now: Date())
        XCTAssertEqual(summary.count(.failed), 2)
        XCTAssertTrue(summary.lastError?.message.contains("SignatureDoesNotMatch") ?? false)

        // With the right key, a sync retries failed files and succeeds.
        let fixed = try await bed.worker(client: try bed.client(), queue: queue).sync()
        XCTAssertEqual(fixed.uploaded, 2, "\(fixed.failures)")
    }

    func testThrottlingAndServerErrorsAreRetriedUntilUploaded() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "throttle")
        _ = try await bed.generate()
        // Three faulted PUTs: within one attempt the client's retry policy (4 tries) gets through.
        let proxy = try await FaultInjectingProxy(upstreamPort: moto.port, fault: .status(503, code: "SlowDown"), count: 3,
                                                  match: "PUT ")
        self.proxy = proxy
        let queue = try bed.queue()
        let report = try await bed.worker(client: try bed.client(endpoint: proxy.endpoint), queue: queue,
                                          settings: bed.settings(concurrency: 1)).sync()
        XCTAssertEqual(report.uploaded, 2, "\(report.failures)")
        XCTAssertEqual(try queue.items(state: .uploaded).count, 2)
        XCTAssertEqual(puts(proxy).count, 5, "3 throttled PUTs and 2 that went through")
    }

    func testPersistentServerErrorsBackOffAcrossAttemptsThenSucceedOrFail() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "backoff")
        let records = try await bed.generate()
        // More 500s than one attempt's tries (4): the first attempt fails and the row waits for a later one.
        let proxy = try await FaultInjectingProxy(upstreamPort: moto.port, fault: .status(500, code: "InternalError"), count: 4,
                                                  match: "PUT ")
        self.proxy = proxy
        let queue = try bed.queue()
        let client = try bed.client(endpoint: proxy.endpoint)
        var settings = bed.settings(concurrency: 1, maxAttempts: 3)
        settings.sidecars = false
        let worker = try bed.worker(client: client, queue: queue, settings: settings)
        // Only the image: drop the sidecar row the hook queued.
        try bed.host.catalog().database.query("DELETE FROM uploads WHERE kind = 'sidecar'")

        let first = await worker.sync(includeFailed: false)
        XCTAssertEqual(first.failures.count, 1)
        XCTAssertTrue(first.failures[0].willRetry)
        let waiting = try XCTUnwrap(try queue.items(state: .pending).first)
        XCTAssertEqual(waiting.attempts, 1)
        XCTAssertGreaterThan(waiting.nextAttemptAt, Date().addingTimeInterval(20), "backs off (base 60 s, jitter ≥ half)")
        XCTAssertTrue(waiting.lastError?.contains("InternalError") ?? false, waiting.lastError ?? "")
        XCTAssertTrue(try queue.claimDue(limit: 10, now: Date(), lease: 60).isEmpty, "not due before its next attempt")

        // The proxy has used its faults: the next attempt goes through.
        let second = await worker.sync(includeFailed: false)
        XCTAssertEqual(second.uploaded, 1, "\(second.failures)")
        XCTAssertEqual(try queue.item(id: waiting.id)?.state, .uploaded)
    }

    func testFileThatKeepsFailingIsMarkedFailedAndAlerts() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "keeps-failing")
        _ = try await bed.generate()
        try bed.host.catalog().database.query("DELETE FROM uploads WHERE kind = 'sidecar'")
        let proxy = try await FaultInjectingProxy(upstreamPort: moto.port, fault: .status(503, code: "SlowDown"), count: 100,
                                                  match: "PUT ")
        self.proxy = proxy
        let queue = try bed.queue()
        let worker = try bed.worker(client: try bed.client(endpoint: proxy.endpoint) { $0.retryPolicy = .none }, queue: queue,
                                    settings: bed.settings(concurrency: 1, maxAttempts: 2))
        let first = await worker.sync(includeFailed: false)
        XCTAssertTrue(first.failures.first?.willRetry ?? false)
        XCTAssertTrue(bed.alerts.alerts.isEmpty, "no alert while attempts remain")
        let second = await worker.sync(includeFailed: false)
        XCTAssertEqual(second.failures.first?.willRetry, false, "the last attempt gives up")
        let row = try XCTUnwrap(try queue.items(state: .failed).first)
        XCTAssertEqual(row.attempts, 2)
        guard case .fileFailed(let path, let attempts, let error)? = bed.alerts.alerts.last else {
            return XCTFail("expected a fileFailed alert, got \(bed.alerts.alerts)")
        }
        XCTAssertEqual(path, row.filePath)
        XCTAssertEqual(attempts, 2)
        XCTAssertTrue(error.contains("SlowDown"), error)
    }

    func testRestartMidQueueResumesWithoutUploadingTwice() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "restart")
        _ = try await bed.generate(3)
        let proxy = try await FaultInjectingProxy(upstreamPort: moto.port, fault: .status(500, code: "InternalError"), count: 0)
        self.proxy = proxy
        let client = try bed.client(endpoint: proxy.endpoint)
        let queue = try bed.queue()
        XCTAssertEqual(try queue.items(state: .pending).count, 6)

        // A first process claims two files and dies: one after its PUT reached the store, before
        // recording it; the other before sending anything. Its upload lock dies with it.
        var crashedLock = UploadLock(dataDirectory: bed.dataDirectory)
        XCTAssertNotNil(crashedLock)
        let claimed = try queue.claimDue(limit: 2, now: Date(), lease: 3600)
        XCTAssertEqual(claimed.count, 2)
        let sent = claimed[0]
        let sentKey = try UploadTransfer.objectKey(for: sent.filePath, prefix: "renders").rawValue
        _ = try await client.upload(fileAt: bed.dataDirectory + "/" + sent.filePath, key: sentKey,
                                    contentType: ImageContentType.forFileExtension((sent.filePath as NSString).pathExtension))
        XCTAssertEqual(try queue.items(state: .uploading).count, 2)

        // While the dead process's lock is still held, a newcomer does not take over live leases.
        let blocked = try bed.worker(client: client, queue: queue)
        await blocked.prepare()
        XCTAssertEqual(try queue.items(state: .uploading).count, 2, "leases of a lock holder are respected")
        crashedLock = nil

        // The restarted worker takes the lock, resumes both rows and finishes the queue in the background.
        let putsBefore = puts(proxy).count
        let worker = try bed.worker(client: client, queue: queue)
        await worker.start()
        XCTAssertTrue(try StorageTestBed.waitUntil { try queue.items(state: .uploaded).count == 6 },
                      "uploads: \(String(describing: try? queue.summary(now: Date())))")
        await worker.stop(grace: 5)
        let putLines = Array(puts(proxy).dropFirst(putsBefore))
        XCTAssertEqual(putLines.count, 5, "five files sent; the one already stored is recognised and skipped:\n\(putLines)")
        XCTAssertFalse(putLines.contains { $0.contains(sentKey) }, "\(sentKey) was uploaded twice")
        XCTAssertEqual(try queue.item(id: sent.id)?.state, .uploaded)
    }

    func testObjectAlreadyPresentWithTheSameChecksumIsNotSentAgain() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "present")
        let records = try await bed.generate()
        let client = try bed.client()
        let imageKey = try UploadTransfer.objectKey(for: records[0].filePath, prefix: "renders").rawValue
        _ = try await client.upload(fileAt: bed.dataDirectory + "/" + records[0].filePath, key: imageKey, contentType: "image/png")

        let proxy = try await FaultInjectingProxy(upstreamPort: moto.port, fault: .status(500, code: "InternalError"), count: 0)
        self.proxy = proxy
        let queue = try bed.queue()
        let report = try await bed.worker(client: try bed.client(endpoint: proxy.endpoint), queue: queue).sync()
        XCTAssertEqual(report.alreadyPresent, 1)
        XCTAssertEqual(report.uploaded, 1, "only the sidecar is sent")
        XCTAssertEqual(puts(proxy).count, 1)
        XCTAssertFalse(puts(proxy).contains { $0.contains(imageKey) })
        let row = try XCTUnwrap(try queue.items(imageID: records[0].imageID).first { $0.kind == .image })
        XCTAssertEqual(row.state, .uploaded)
        XCTAssertEqual(row.sha256, records[0].contentSHA256)
    }

    func testLargeDerivativeGoesUpAsMultipartAndVerifies() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "multipart")
        let records = try await bed.generate()
        // A 6 MiB derivative, announced through the storing hook as post-processing would.
        var derivative = records[0]
        derivative.imageID = records[0].imageID + "_large"
        derivative.variant = "upscaled"
        derivative.parentID = records[0].imageID
        derivative.filePath = (records[0].filePath as NSString).deletingLastPathComponent + "/\(derivative.imageID).png"
        var bytes = [UInt8](repeating: 0, count: 6 * 1024 * 1024 + 123)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
        try AtomicFile.write(bytes, to: bed.dataDirectory + "/" + derivative.filePath)
        derivative.contentSHA256 = PluginLoader.contentHash(bytes)
        derivative.bytes = bytes.count
        derivative.jobID = nil
        let catalog = try bed.host.catalog()
        try catalog.storeImage(derivative, outputIndex: 0, pluginID: nil, providerModel: nil, costSource: "unknown")
        let queue = try UploadQueue(catalog: catalog)
        let hooks = ImageStoredHooks()
        hooks.add(queue.observer(sidecars: true, log: bed.host.log))
        hooks.notify(ImageStoredEvent(record: derivative, dataDirectory: bed.dataDirectory))

        let client = try bed.client {
            $0.multipartThreshold = 5 * 1024 * 1024
            $0.partSize = 5 * 1024 * 1024
        }
        let report = try await bed.worker(client: client, queue: queue).sync()
        XCTAssertEqual(report.uploaded, 3, "\(report.failures)") // original, its sidecar, the derivative
        let row = try XCTUnwrap(try queue.items(imageID: derivative.imageID).first)
        XCTAssertEqual(row.kind, .derivative)
        XCTAssertEqual(row.state, .uploaded)
        XCTAssertTrue(row.etag?.hasSuffix("-2") ?? false, "a two-part multipart ETag, got \(row.etag ?? "nil")")
        let head = try await client.headObject(key: try XCTUnwrap(row.objectKey))
        let info = try XCTUnwrap(head)
        XCTAssertEqual(info.size, Int64(bytes.count))
        XCTAssertEqual(info.metadata["variant"], "upscaled")
        let verified = try await UploadVerifier(queue: queue, client: client).verify()
        XCTAssertTrue(verified.isClean, "\(verified.problems)")
    }

    func testBackgroundWorkerUploadsNewImagesAndAlertsOnBacklog() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "background")
        let generator = try bed.host.generator()
        let queue = try XCTUnwrap(generator.uploads, "storage is configured, so the generator has an upload queue")
        var settings = bed.settings()
        settings.backlogCount = 0 // any waiting file counts as a backlog
        let worker = try bed.worker(client: try bed.client(), queue: queue, settings: settings)
        await worker.start()
        let records = try await generator.generateCustom(prompt: "a blue chair", parameters: GenerationParameters(width: 64, height: 64))
        await generator.shutdown()
        XCTAssertTrue(try StorageTestBed.waitUntil { try queue.items(state: .uploaded).count == 2 },
                      "uploads: \(String(describing: try? queue.summary(now: Date())))")
        XCTAssertTrue(StorageTestBed.waitUntil { bed.alerts.alerts.contains(.backlogCleared) }, "\(bed.alerts.alerts)")
        await worker.stop(grace: 5)
        XCTAssertEqual(try queue.items(imageID: records[0].imageID).map(\.state), [.uploaded, .uploaded])
        let alerts = bed.alerts.alerts
        guard case .backlog? = alerts.first else { return XCTFail("expected a backlog alert first, got \(alerts)") }
        XCTAssertEqual(alerts.filter { if case .backlog = $0 { return true }; return false }.count, 1, "raised once, not per poll")
    }
}
