import Foundation
import XCTest
@testable import Catalog
@testable import CatalogSQLite
import ImagegenCore

/// Review states, rating filters, availability and cursor pagination on the SQLite catalog.
final class ReviewCatalogTests: XCTestCase {
    var root: String!
    var catalog: SQLiteCatalog!
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    override func setUpWithError() throws {
        root = TestEnvironment.temporaryDirectory("review-catalog")
        catalog = try SQLiteCatalog(path: root + "/catalog.sqlite")
    }

    override func tearDownWithError() throws {
        catalog = nil
        try? FileManager.default.removeItem(atPath: root)  // try?: a leftover temp folder fails nothing
    }

    /// An original generated `second` seconds after a fixed time (later = newer).
    @discardableResult
    func store(_ id: String, second: Int, category: String = "product", variant: String = "original", parent: String? = nil) throws -> ImageRecord {
        let at = Date(timeIntervalSince1970: 1_790_000_000 + Double(second))
        let record = ImageRecord(imageID: id, prompt: "p", model: "preview", parameters: .init(width: 8, height: 8, seed: 1),
                                 category: category, tags: ["t"], filePath: "content/\(id).png",
                                 metadata: .init(generatedAt: RecordTime.iso(at), apiUsed: "preview/preview-1"),
                                 status: "completed", version: 1, parentID: parent, variant: variant,
                                 contentSHA256: String(repeating: "a", count: 64), mime: "image/png", bytes: 3, extra: [:])
        if variant == "original" {
            try catalog.storeImage(record, outputIndex: second, pluginID: nil, providerModel: nil, costSource: "unknown")
        } else {
            try catalog.database.query("INSERT INTO images (id, variant, parent_id, category, model, prompt, width, height, file_path, mime, bytes, content_sha256, generated_at) VALUES (?, ?, ?, 'product', 'preview', 'p', 8, 8, 'x', 'image/png', 1, 'a', 0)",
                                       [.text(id), .text(variant), parent.map { .text($0) } ?? .null])
        }
        return record
    }

    func ids(_ filter: ImageFilter) throws -> [String] { try catalog.imagePage(filter).images.map(\.record.imageID) }

    func testPendingUntilDecidedAndRejectedLeavesAvailable() throws {
        for (n, id) in ["img_a", "img_b", "img_c"].enumerated() { try store(id, second: n) }
        XCTAssertEqual(try catalog.review(imageID: "img_a").state, .pending)

        let approved = try catalog.review(imageIDs: ["img_a"], decision: .approve, reviewer: "user:ann", now: now)
        XCTAssertEqual(approved.map(\.state), [.approved])
        let rejected = try catalog.review(imageIDs: ["img_b"], decision: .reject(reason: "  extra finger "), reviewer: "user:ann", now: now)
        XCTAssertEqual(rejected.first?.reason, "extra finger", "the reason is kept, trimmed")
        let stored = try catalog.review(imageID: "img_b")
        XCTAssertEqual(stored.state, .rejected)
        XCTAssertEqual(stored.reviewer, "user:ann")
        XCTAssertEqual(stored.reviewedAt, now)

        var filter = ImageFilter()
        filter.review = .approved
        XCTAssertEqual(try ids(filter), ["img_a"])
        filter.review = .rejected
        XCTAssertEqual(try ids(filter), ["img_b"])
        filter.review = .pending
        XCTAssertEqual(try ids(filter), ["img_c"])

        XCTAssertEqual(try catalog.availableImages(category: nil, tag: nil, limit: 10).map(\.imageID), ["img_c", "img_a"],
                       "a rejected image is never offered for a post")
        var available = ImageFilter()
        available.availableOnly = true
        XCTAssertEqual(try ids(available), ["img_c", "img_a"])
        XCTAssertEqual(try catalog.images(available).map(\.imageID), ["img_c", "img_a"], "the plain listing agrees")

        // A change of mind is recorded (approve after reject clears the reason).
        _ = try catalog.review(imageIDs: ["img_b"], decision: .approve, reviewer: "user:bob", now: now)
        XCTAssertEqual(try catalog.review(imageID: "img_b"), ImageReview(imageID: "img_b", state: .approved, reason: nil, reviewer: "user:bob", reviewedAt: now))
    }

    func testBulkDecisionIsAllOrNothingAndRefusesBadInput() throws {
        try store("img_a", second: 0)
        try store("img_d", second: 1, variant: "thumbnail", parent: "img_a")
        XCTAssertThrowsError(try catalog.review(imageIDs: ["img_a", "img_nope"], decision: .approve, reviewer: "u", now: now)) {
            XCTAssertEqual($0 as? ReviewError, .unknownImage("img_nope"))
        }
        XCTAssertEqual(try catalog.review(imageID: "img_a").state, .pending, "nothing was recorded for the known one")
        XCTAssertThrowsError(try catalog.review(imageIDs: ["img_d"], decision: .approve, reviewer: "u", now: now)) {
            XCTAssertEqual($0 as? ReviewError, .derivative(id: "img_d", original: "img_a"))
        }
        XCTAssertThrowsError(try catalog.review(imageIDs: ["img_a"], decision: .reject(reason: "   "), reviewer: "u", now: now)) {
            XCTAssertEqual($0 as? ReviewError, .missingReason)
        }
        XCTAssertThrowsError(try catalog.review(imageIDs: [], decision: .approve, reviewer: "u", now: now)) {
            XCTAssertEqual($0 as? ReviewError, .empty)
        }
        XCTAssertThrowsError(try catalog.review(imageIDs: Array(repeating: "img_a", count: 501), decision: .approve, reviewer: "u", now: now))
    }

    func testRatingFiltersAndRecordsCarryRatingReviewAndReservation() throws {
        for (n, id) in ["img_1", "img_2", "img_3"].enumerated() { try store(id, second: n) }
        try catalog.rate(imageID: "img_1", rating: 5, now: now)
        try catalog.rate(imageID: "img_2", rating: 2, now: now)
        _ = try catalog.reserve(imageID: "img_1", channel: "blog", day: "2026-12-01", now: now)

        var filter = ImageFilter()
        filter.minRating = 4
        XCTAssertEqual(try ids(filter), ["img_1"])
        filter.minRating = nil
        filter.rated = true
        XCTAssertEqual(try ids(filter), ["img_2", "img_1"])
        filter.rated = false
        XCTAssertEqual(try ids(filter), ["img_3"])
        filter.rated = nil
        filter.reserved = true
        XCTAssertEqual(try ids(filter), ["img_1"])

        let listed = try XCTUnwrap(try catalog.listedImage("img_1"))
        XCTAssertEqual(listed.rating, 5)
        XCTAssertEqual(listed.review.state, .pending)
        XCTAssertEqual(listed.reservation?.channel, "blog")
        XCTAssertNil(try catalog.listedImage("img_nope"))

        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(listed)) as? [String: Any]
        XCTAssertEqual(json?["rating"] as? Int, 5)
        XCTAssertEqual((json?["review"] as? [String: Any])?["state"] as? String, "pending")
        XCTAssertEqual(json?["image_id"] as? String, "img_1", "the record's own fields stay at the top level")
    }

    func testCursorPagesThroughEveryImageOnceNewestFirst() throws {
        // Two images share a time: the id breaks the tie, so none is skipped or repeated.
        for n in 0..<25 { try store(String(format: "img_%02d", n), second: n / 2) }
        try store("img_x", second: 3, category: "lingerie")
        var seen: [String] = []
        var filter = ImageFilter(limit: 7)
        filter.excludedCategories = ["lingerie"]
        var pages = 0
        repeat {
            let page = try catalog.imagePage(filter)
            seen += page.images.map(\.record.imageID)
            filter.after = page.next.flatMap { ImageCursor(token: $0.token) }
            pages += 1
        } while filter.after != nil && pages < 10
        XCTAssertEqual(pages, 4)
        XCTAssertEqual(seen.count, 25)
        XCTAssertEqual(Set(seen).count, 25, "no image twice")
        XCTAssertFalse(seen.contains("img_x"), "an excluded category never appears")
        XCTAssertEqual(seen, seen.sorted(by: >), "newest first (ids sort with their times here)")
        XCTAssertNil(ImageCursor(token: "not a cursor!"))
        XCTAssertNil(ImageCursor(token: "bm9kb3Q"), "decodes, but has no time")
    }
}
