import Foundation
import XCTest
@testable import Host
@testable import CatalogSQLite
@testable import DurableFiles
@testable import ImagegenCore
@testable import Operations

/// The upload queue's bookkeeping in the catalog, without a store: idempotent queueing, claims,
/// revisions, resume, reconcile, back-off.
final class StorageUploadQueueTests: XCTestCase {
    private var root: String!
    private var catalog: SQLiteCatalog!
    private var queue: UploadQueue!
    private let now = Date(timeIntervalSince1970: 1_770_000_000)

    override func setUpWithError() throws {
        root = TestEnvironment.temporaryDirectory("upload-queue")
        catalog = try SQLiteCatalog(path: root + "/catalog.sqlite")
        queue = try UploadQueue(catalog: catalog)
    }

    override func tearDownWithError() throws {
        queue = nil
        catalog = nil
        try? FileManager.default.removeItem(atPath: root)
    }

    private func record(_ id: String, variant: String = "original") throws -> ImageRecord {
        let record = ImageRecord(imageID: id, prompt: "p", negativePrompt: nil, model: "preview",
                                 parameters: .init(width: 8, height: 8, steps: nil, guidanceScale: nil, seed: 1),
                                 category: "product", tags: [], filePath: "content/product/2026/01/\(id).png",
                                 metadata: .init(generatedAt: "2026-01-02T03:04:05.000Z", apiUsed: "preview/preview-1", cost: 0.01,
                                                 processingTime: 1),
                                 status: ImageRecord.completed, version: 1, parentID: nil, variant: variant, contentSHA256: String(repeating: "a", count: 64),
                                 jobID: nil, mime: "image/png", bytes: 3, qualityScore: nil, extra: [:])
        try AtomicFile.write([1, 2, 3], to: root + "/" + record.filePath)
        try AtomicFile.write(Array("{}".utf8), to: root + "/" + UploadQueue.sidecarPath(for: record.filePath))
        return record
    }

    func testQueueingIsIdempotentPerFileAndRequeueBumpsTheRevision() throws {
        let image = try record("img_a")
        try queue.enqueue(image, dataDirectory: root, sidecar: true, now: now)
        try queue.enqueue(image, dataDirectory: root, sidecar: true, now: now)
        var rows = try queue.items(state: nil)
        XCTAssertEqual(rows.map(\.kind), [.image, .sidecar])
        XCTAssertEqual(rows.map(\.revision), [2, 2])

        // A worker claims the image; the file is rewritten and queued again while it uploads.
        let claimed = try XCTUnwrap(try queue.claimDue(limit: 1, now: now, lease: 60).first)
        XCTAssertEqual(claimed.filePath, image.filePath)
        try queue.enqueue(image, dataDirectory: root, sidecar: false, now: now)
        XCTAssertEqual(try queue.item(id: claimed.id)?.state, .uploading, "an upload in flight keeps its claim")
        let current = try queue.markUploaded(claimed, key: "k", url: URL(string: "http://s/b/k")!, etag: "e", bytes: 3,
                                             sha256: "aa", now: now)
        XCTAssertFalse(current, "the older revision's upload must not mark the newer one uploaded")
        XCTAssertEqual(try queue.item(id: claimed.id)?.state, .pending)

        let again = try XCTUnwrap(try queue.claimDue(limit: 1, now: now, lease: 60).first)
        XCTAssertTrue(try queue.markUploaded(again, key: "k", url: URL(string: "http://s/b/k")!, etag: "e", bytes: 3,
                                             sha256: "aa", now: now))
        rows = try queue.items(state: .uploaded)
        XCTAssertEqual(rows.map(\.objectURL), ["http://s/b/k"])
    }

    func testClaimsRespectScheduleAndAreExclusive() throws {
        for id in ["img_1", "img_2", "img_3"] { try queue.enqueue(try record(id), dataDirectory: root, sidecar: false, now: now) }
        let first = try queue.claimDue(limit: 2, now: now, lease: 60)
        let second = try queue.claimDue(limit: 5, now: now, lease: 60)
        XCTAssertEqual(first.count, 2)
        XCTAssertEqual(second.count, 1)
        XCTAssertTrue(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))

        // A failed attempt waits for its time; a final failure stays failed.
        try queue.markFailedAttempt(first[0], error: "HTTP 503", retryAt: now.addingTimeInterval(120), now: now)
        try queue.markFailedAttempt(first[1], error: "SignatureDoesNotMatch", retryAt: nil, now: now.addingTimeInterval(1))
        XCTAssertTrue(try queue.claimDue(limit: 5, now: now.addingTimeInterval(60), lease: 60).isEmpty)
        XCTAssertEqual(try queue.claimDue(limit: 5, now: now.addingTimeInterval(121), lease: 60).map(\.id), [first[0].id])
        let failed = try XCTUnwrap(try queue.item(id: first[1].id))
        XCTAssertEqual(failed.state, .failed)
        XCTAssertEqual(failed.attempts, 1)
        XCTAssertEqual(try queue.waitingIDs(includeFailed: true).count, 1, "only the failed row waits (others are claimed)")
        let summary = try queue.summary(now: now)
        XCTAssertEqual(summary.count(.failed), 1)
        XCTAssertEqual(summary.count(.uploading), 2)
        XCTAssertEqual(summary.lastError?.message, "SignatureDoesNotMatch", "the most recent error")
        XCTAssertEqual(summary.lastError?.state, .failed)
    }

    func testResumeTakesBackInterruptedRowsOnlyWhenSafe() throws {
        for id in ["img_1", "img_2"] { try queue.enqueue(try record(id), dataDirectory: root, sidecar: false, now: now) }
        _ = try queue.claimDue(limit: 2, now: now, lease: 600)
        XCTAssertEqual(try queue.resumeInterrupted(all: false, now: now.addingTimeInterval(60)), 0, "leases still valid")
        XCTAssertEqual(try queue.resumeInterrupted(all: false, now: now.addingTimeInterval(601)), 2, "expired leases")
        _ = try queue.claimDue(limit: 2, now: now, lease: 600)
        XCTAssertEqual(try queue.resumeInterrupted(all: true, now: now), 2, "the lock holder resumes everything")
        XCTAssertEqual(try queue.items(state: .pending).count, 2)
    }

    func testReconcileQueuesStoredImagesThatHaveNoRow() throws {
        let image = try record("img_r")
        try catalog.storeImage(image, outputIndex: 0, pluginID: nil, providerModel: nil, costSource: "unknown")
        XCTAssertEqual(try queue.reconcile(dataDirectory: root, sidecars: true, now: now), 1)
        XCTAssertEqual(try queue.items(state: .pending).map(\.kind), [.image, .sidecar])
        XCTAssertEqual(try queue.reconcile(dataDirectory: root, sidecars: true, now: now), 0, "nothing twice")
        // Object metadata fields come from the catalog row.
        let row = try XCTUnwrap(try queue.items(state: .pending).first)
        XCTAssertEqual(row.image?.category, "product")
        XCTAssertEqual(row.image?.costUSD, 0.01)
    }

    func testQueueFeedsTheAlertEnginesBacklogRuleAndFailedFilesBecomeAlerts() throws {
        for id in ["img_1", "img_2"] { try queue.enqueue(try record(id), dataDirectory: root, sidecar: false, now: now) }
        let status = try queue.alertStatus(destination: "s3://renders/prod", now: now.addingTimeInterval(3600))
        XCTAssertEqual(status.pending, 2)
        XCTAssertEqual(status.oldestEnqueuedAt, now)
        let conditions = UploadBacklogRule(maxPending: 100, maxAge: 15 * 60)
            .evaluate(AlertInputs(uploadQueues: [status]), now: now.addingTimeInterval(3600))
        XCTAssertEqual(conditions.map(\.id), ["UploadQueueBacklog/s3://renders/prod"], "waiting an hour is a backlog")

        let failed = UploadAlert.fileFailed(filePath: "content/a/2026/01/x.png", attempts: 8, error: "HTTP 503")
        let transition = try XCTUnwrap(failed.alertTransition(at: now))
        XCTAssertEqual(transition.alert.id, "UploadFailed/content/a/2026/01/x.png")
        XCTAssertTrue(transition.alert.message.contains("8 attempt"), transition.alert.message)
        XCTAssertNil(UploadAlert.backlog(waiting: 3, oldestWaitingSince: now).alertTransition(at: now))
    }

    func testRetryScheduleBacksOffWithJitterAndStops() {
        let schedule = UploadRetrySchedule(baseSeconds: 30, maxSeconds: 300, maxAttempts: 4)
        XCTAssertEqual(schedule.nextAttempt(after: 1, now: now, unitRandom: 1), now.addingTimeInterval(30))
        XCTAssertEqual(schedule.nextAttempt(after: 2, now: now, unitRandom: 1), now.addingTimeInterval(60))
        XCTAssertEqual(schedule.nextAttempt(after: 3, now: now, unitRandom: 0), now.addingTimeInterval(60), "half of 120 s")
        XCTAssertNil(schedule.nextAttempt(after: 4, now: now), "no attempt after the last")
        XCTAssertEqual(UploadRetrySchedule(baseSeconds: 30, maxSeconds: 300, maxAttempts: 20).nextAttempt(after: 10, now: now, unitRandom: 1),
                       now.addingTimeInterval(300), "capped")
    }

    func testObjectKeysMirrorTheContentHierarchy() throws {
        XCTAssertEqual(try UploadTransfer.objectKey(for: "content/product/2026/01/img_a.png", prefix: "prod/renders").rawValue,
                       "prod/renders/product/2026/01/img_a.png")
        XCTAssertEqual(try UploadTransfer.objectKey(for: "content/product/2026/01/img_a.json", prefix: "").rawValue,
                       "product/2026/01/img_a.json")
        XCTAssertThrowsError(try UploadTransfer.objectKey(for: "elsewhere/x.png", prefix: ""))
        XCTAssertThrowsError(try UploadTransfer.objectKey(for: "content/../../etc/2026/01/x.png", prefix: ""))
    }
}
