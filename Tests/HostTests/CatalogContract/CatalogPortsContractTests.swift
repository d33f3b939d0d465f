import Foundation
import XCTest
import Catalog
import ImagegenCore
import Imaging
import Synchronization

/// Every port a catalog serves beside the job queue of `CatalogContractTests`: review decisions,
/// the review gallery's listing, editable tags, people and sessions, takedowns, the output check's
/// verdict, retention and personal data. Exercised only
/// through the protocols, so SQLite and PostgreSQL are held to one behaviour; each catalog gets a
/// subclass that overrides the factories and forwards every test.
class CatalogPortsContractTests: XCTestCase {
    typealias PortsCatalog = any CatalogStore & ReviewStore & ImageListingStore & ImageTagStore & UserStore & TakedownStore
        & RatingStore & ReservationStore & UploadQueueStore & ImageFileStore & RetentionStore & PersonalDataStore & QuarantineStore

    // MARK: - Factories subclasses implement

    /// A new, empty catalog that no other test shares.
    func makeCatalog() throws -> PortsCatalog {
        throw XCTSkip("CatalogPortsContractTests is abstract: subclass it and override makeCatalog()")
    }

    /// A second, independent connection to the same storage, as another host would hold it.
    func connectAgain(to catalog: PortsCatalog) throws -> PortsCatalog {
        throw XCTSkip("CatalogPortsContractTests is abstract: subclass it and override connectAgain(to:)")
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipIf(type(of: self) == CatalogPortsContractTests.self, "abstract contract: runs only through a subclass")
    }

    func assertForwardsEveryPortsContractTest(subclassFile: StaticString = #filePath, file: StaticString = #filePath,
                                              line: UInt = #line) throws {
        try assertForwardsEveryTest(of: "CatalogPortsContractTests.swift", minimum: 12, subclassFile: subclassFile, file: file, line: line)
    }

    // MARK: - Fixtures

    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Stores an image generated `second` seconds after a fixed time (later = newer).
    @discardableResult
    func store(_ catalog: PortsCatalog, _ id: String, second: Int, category: String = "product", template: String? = nil,
               variant: String = "original", parent: String? = nil, sha: String = String(repeating: "a", count: 64),
               status: String = ImageRecord.completed, outputCheck: NudityVerdict? = nil) throws -> ImageRecord {
        let at = Date(timeIntervalSince1970: 1_790_000_000 + Double(second))
        let record = ImageRecord(imageID: id, prompt: "a red cup \(id)", model: "preview", parameters: .init(width: 8, height: 8, seed: 7),
                                 category: category, tags: ["t"], filePath: "content/\(id).png",
                                 metadata: .init(generatedAt: RecordTime.iso(at), apiUsed: "preview/preview-1"),
                                 status: status, version: parent == nil ? 1 : 2, parentID: parent, variant: variant,
                                 contentSHA256: sha, jobID: "job_\(parent ?? id)", mime: "image/png", bytes: 3,
                                 outputCheck: outputCheck, extra: template.map { ["template": $0] } ?? [:])
        try catalog.storeImage(record, outputIndex: second, pluginID: nil, providerModel: nil, costSource: "unknown")
        return record
    }

    func ids(_ catalog: PortsCatalog, _ filter: ImageFilter) throws -> [String] {
        try catalog.imagePage(filter).images.map(\.record.imageID)
    }

    func expectError<E: Error & Equatable>(_ expected: E, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { XCTAssertEqual($0 as? E, expected, "\($0)", file: file, line: line) }
    }

    // MARK: - Review and the listing

    func testReviewDecisionsAreRecordedAndFilterTheListing() throws {
        let catalog = try makeCatalog()
        for (n, id) in ["img_a", "img_b", "img_c"].enumerated() { try store(catalog, id, second: n) }
        XCTAssertEqual(try catalog.review(imageID: "img_a").state, .pending)

        XCTAssertEqual(try catalog.review(imageIDs: ["img_a"], decision: .approve, reviewer: "user:ann", now: now).map(\.state), [.approved])
        let rejected = try catalog.review(imageIDs: ["img_b"], decision: .reject(reason: "  extra finger "), reviewer: "user:ann", now: now)
        XCTAssertEqual(rejected.first?.reason, "extra finger", "the reason is kept, trimmed")
        XCTAssertEqual(try catalog.review(imageID: "img_b"),
                       ImageReview(imageID: "img_b", state: .rejected, reason: "extra finger", reviewer: "user:ann", reviewedAt: now))

        var filter = ImageFilter()
        filter.review = .approved
        XCTAssertEqual(try ids(catalog, filter), ["img_a"])
        filter.review = .rejected
        XCTAssertEqual(try ids(catalog, filter), ["img_b"])
        filter.review = .pending
        XCTAssertEqual(try ids(catalog, filter), ["img_c"])

        XCTAssertEqual(try catalog.availableImages(category: nil, tag: nil, limit: 10).map(\.imageID), ["img_c", "img_a"],
                       "a rejected image is never offered for a post")
        var available = ImageFilter()
        available.availableOnly = true
        XCTAssertEqual(try ids(catalog, available), ["img_c", "img_a"])
        XCTAssertEqual(try catalog.images(available).map(\.imageID), ["img_c", "img_a"], "the plain listing agrees")

        _ = try catalog.review(imageIDs: ["img_b"], decision: .approve, reviewer: "user:bob", now: now)
        XCTAssertEqual(try catalog.review(imageID: "img_b"),
                       ImageReview(imageID: "img_b", state: .approved, reason: nil, reviewer: "user:bob", reviewedAt: now),
                       "a change of mind replaces the decision and clears the reason")
    }

    func testABulkReviewIsAllOrNothingAndRefusesBadInput() throws {
        let catalog = try makeCatalog()
        try store(catalog, "img_a", second: 0)
        try store(catalog, "img_d", second: 1, variant: "thumbnail", parent: "img_a")
        expectError(ReviewError.unknownImage("img_nope")) {
            _ = try catalog.review(imageIDs: ["img_a", "img_nope"], decision: .approve, reviewer: "u", now: now)
        }
        XCTAssertEqual(try catalog.review(imageID: "img_a").state, .pending, "nothing was recorded for the known one")
        expectError(ReviewError.derivative(id: "img_d", original: "img_a")) {
            _ = try catalog.review(imageIDs: ["img_d"], decision: .approve, reviewer: "u", now: now)
        }
        expectError(ReviewError.missingReason) { _ = try catalog.review(imageIDs: ["img_a"], decision: .reject(reason: "  "), reviewer: "u", now: now) }
        expectError(ReviewError.empty) { _ = try catalog.review(imageIDs: [], decision: .approve, reviewer: "u", now: now) }
        expectError(ReviewError.tooMany(501)) {
            _ = try catalog.review(imageIDs: Array(repeating: "img_a", count: 501), decision: .approve, reviewer: "u", now: now)
        }
    }

    func testTheListingCarriesRatingReviewAndReservationAndFiltersByThem() throws {
        let catalog = try makeCatalog()
        for (n, id) in ["img_1", "img_2", "img_3"].enumerated() { try store(catalog, id, second: n) }
        try catalog.rate(imageID: "img_1", rating: 5, now: now)
        try catalog.rate(imageID: "img_2", rating: 2, now: now)
        _ = try catalog.reserve(imageID: "img_1", channel: "blog", day: "2026-12-01", now: now)

        var filter = ImageFilter()
        filter.minRating = 4
        XCTAssertEqual(try ids(catalog, filter), ["img_1"])
        filter.minRating = nil
        filter.rated = true
        XCTAssertEqual(try ids(catalog, filter), ["img_2", "img_1"])
        filter.rated = false
        XCTAssertEqual(try ids(catalog, filter), ["img_3"])
        filter.rated = nil
        filter.reserved = true
        XCTAssertEqual(try ids(catalog, filter), ["img_1"])
        filter.reserved = false
        XCTAssertEqual(try ids(catalog, filter), ["img_3", "img_2"])

        let listed = try XCTUnwrap(try catalog.listedImage("img_1"))
        XCTAssertEqual(listed.record, try catalog.image("img_1"))
        XCTAssertEqual(listed.rating, 5)
        XCTAssertEqual(listed.review.state, .pending)
        XCTAssertEqual(listed.reservation?.channel, "blog")
        XCTAssertEqual(listed.reservation?.day, "2026-12-01")
        XCTAssertNil(try catalog.listedImage("img_nope"))
    }

    func testTheCursorPagesThroughEveryOriginalOnceNewestFirst() throws {
        let catalog = try makeCatalog()
        // Two images share a time: the id breaks the tie, so none is skipped or repeated.
        for n in 0..<25 { try store(catalog, String(format: "img_%02d", n), second: n / 2) }
        try store(catalog, "img_x", second: 3, category: "lingerie")
        try store(catalog, "img_t", second: 30, variant: "thumbnail", parent: "img_00")
        var seen: [String] = []
        var filter = ImageFilter(limit: 7)
        filter.excludedCategories = ["lingerie", "quote\"d"]
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
        XCTAssertFalse(seen.contains("img_t"), "the gallery lists originals")
        XCTAssertEqual(seen, seen.sorted(by: >), "newest first (ids sort with their times here)")
    }

    func testSetTagsReplacesTheTagsListingsFilterOn() throws {
        let catalog = try makeCatalog()
        try store(catalog, "img_a", second: 0)
        try store(catalog, "img_b", second: 1)
        let updated = try catalog.setTags(imageID: "img_a", tags: ["hero", "summer"])
        XCTAssertEqual(updated?.tags, ["hero", "summer"])
        XCTAssertEqual(try catalog.image("img_a")?.tags, ["hero", "summer"])
        XCTAssertEqual(try catalog.images(ImageFilter(tag: "summer")).map(\.imageID), ["img_a"])
        XCTAssertEqual(try catalog.images(ImageFilter(tag: "t")).map(\.imageID), ["img_b"], "the old tag is gone")
        XCTAssertNil(try catalog.setTags(imageID: "img_nope", tags: ["x"]))
    }

    // MARK: - People

    func testUsersAreAddedOnceAndReadBack() throws {
        let catalog = try makeCatalog()
        let ann = try catalog.addUser(name: "ann", role: .admin, passwordHash: "$argon2id$ann", now: now)
        XCTAssertEqual(ann, UserAccount(name: "ann", role: .admin, createdAt: now, passwordChangedAt: now))
        _ = try catalog.addUser(name: "bob.b-2", role: .reviewer, passwordHash: "$argon2id$bob", now: now)
        expectError(UserError.exists("ann")) { _ = try catalog.addUser(name: "ann", role: .viewer, passwordHash: "x", now: now) }
        expectError(UserError.invalidName("-bad")) { _ = try catalog.addUser(name: "-bad", role: .viewer, passwordHash: "x", now: now) }
        XCTAssertEqual(try catalog.users().map(\.name), ["ann", "bob.b-2"])
        XCTAssertEqual(try catalog.user(named: "ann"), ann)
        XCTAssertNil(try catalog.user(named: "nobody"))
        XCTAssertEqual(try catalog.passwordHash(ofUser: "bob.b-2"), "$argon2id$bob")
        XCTAssertNil(try catalog.passwordHash(ofUser: "nobody"))

        let later = now.addingTimeInterval(60)
        let verified = try catalog.setAdultVerified(true, user: "bob.b-2", by: "ann", now: later)
        XCTAssertTrue(verified.adultVerified)
        XCTAssertEqual(verified.adultVerifiedBy, "ann")
        XCTAssertEqual(verified.adultVerifiedAt, later)
        let withdrawn = try catalog.setAdultVerified(false, user: "bob.b-2", by: "ann", now: later)
        XCTAssertFalse(withdrawn.adultVerified)
        XCTAssertNil(withdrawn.adultVerifiedBy)
        XCTAssertEqual(try catalog.setRole(.operator, user: "bob.b-2", now: later).role, .operator)
        expectError(UserError.unknown("nobody")) { _ = try catalog.setRole(.viewer, user: "nobody", now: later) }
        expectError(UserError.unknown("nobody")) { try catalog.setPasswordHash(ofUser: "nobody", to: "x", now: later) }
    }

    func testAPasswordChangeOrDisablingEndsEverySessionAndSessionsExpire() throws {
        let catalog = try makeCatalog()
        _ = try catalog.addUser(name: "ann", role: .admin, passwordHash: "h1", now: now)
        _ = try catalog.addUser(name: "bob", role: .viewer, passwordHash: "h2", now: now)
        func session(_ token: String, _ user: String, minutes: Double) -> UserSession {
            UserSession(tokenHash: token, user: user, createdAt: now, expiresAt: now.addingTimeInterval(minutes * 60), address: "127.0.0.1")
        }
        for s in [session("s1", "ann", minutes: 60), session("s2", "ann", minutes: 60), session("s3", "bob", minutes: 60),
                  session("s4", "bob", minutes: 1)] { try catalog.createSession(s) }
        XCTAssertEqual(try catalog.session(tokenHash: "s1", now: now), session("s1", "ann", minutes: 60))
        XCTAssertNil(try catalog.session(tokenHash: "s4", now: now.addingTimeInterval(60)), "expired at its expiry time")
        XCTAssertNil(try catalog.session(tokenHash: "nope", now: now))

        try catalog.setPasswordHash(ofUser: "ann", to: "h3", now: now)
        XCTAssertEqual(try catalog.passwordHash(ofUser: "ann"), "h3")
        XCTAssertNil(try catalog.session(tokenHash: "s1", now: now), "a new password signs out everywhere")
        XCTAssertNil(try catalog.session(tokenHash: "s2", now: now))
        XCTAssertEqual(try catalog.user(named: "ann")?.passwordChangedAt, now)

        XCTAssertEqual(try catalog.deleteExpiredSessions(now: now.addingTimeInterval(120)), 1)
        XCTAssertNotNil(try catalog.session(tokenHash: "s3", now: now))
        XCTAssertTrue(try catalog.setDisabled(true, user: "bob", now: now).disabled)
        XCTAssertNil(try catalog.session(tokenHash: "s3", now: now), "disabling signs out")
        XCTAssertFalse(try catalog.setDisabled(false, user: "bob", now: now).disabled)
        try catalog.createSession(session("s5", "bob", minutes: 60))
        try catalog.deleteSession(tokenHash: "s5")
        XCTAssertNil(try catalog.session(tokenHash: "s5", now: now))
    }

    func testTheLastEnabledAdminCannotBeDisabledOrDemoted() throws {
        let catalog = try makeCatalog()
        _ = try catalog.addUser(name: "ann", role: .admin, passwordHash: "h", now: now)
        expectError(UserError.lastAdmin("ann")) { _ = try catalog.setDisabled(true, user: "ann", now: now) }
        expectError(UserError.lastAdmin("ann")) { _ = try catalog.setRole(.operator, user: "ann", now: now) }
        _ = try catalog.addUser(name: "cy", role: .admin, passwordHash: "h", now: now)
        XCTAssertEqual(try catalog.setRole(.operator, user: "ann", now: now).role, .operator, "another admin remains")
        expectError(UserError.lastAdmin("cy")) { _ = try catalog.setDisabled(true, user: "cy", now: now) }
        XCTAssertEqual(try catalog.users().filter { $0.role == .admin && !$0.disabled }.map(\.name), ["cy"])
    }

    /// Two hosts disabling the last two admins at once: one must be refused.
    func testTwoConnectionsNeverDisableTheLastTwoAdminsTogether() throws {
        let first = try makeCatalog()
        let second = try connectAgain(to: first)
        for round in 0..<5 {
            let names = ["a\(round)", "b\(round)"]
            for name in names { _ = try first.addUser(name: name, role: .admin, passwordHash: "h", now: now) }
            if round > 0 {
                for name in ["a\(round - 1)", "b\(round - 1)"] where try first.user(named: name)?.disabled == false {
                    _ = try first.setRole(.viewer, user: name, now: now)
                }
            }
            let outcomes = Mutex<[String]>([])
            let now = self.now
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                let catalog = i == 0 ? first : second
                do {
                    _ = try catalog.setDisabled(true, user: names[i], now: now)
                    outcomes.withLock { $0.append("disabled") }
                } catch UserError.lastAdmin {
                    outcomes.withLock { $0.append("refused") }
                } catch {
                    outcomes.withLock { $0.append("\(error)") }
                }
            }
            XCTAssertEqual(outcomes.withLock { $0.sorted() }, ["disabled", "refused"], "round \(round)")
            XCTAssertEqual(try first.users().filter { $0.role == .admin && !$0.disabled }.count, 1)
        }
    }

    // MARK: - Takedowns

    func testFingerprintsAreKeptPerOriginalAndMissingOnesListed() throws {
        let catalog = try makeCatalog()
        try catalog.prepareTakedowns()
        try store(catalog, "img_a", second: 0, sha: String(repeating: "b", count: 64))
        try store(catalog, "img_b", second: 1)
        try store(catalog, "img_d", second: 2, variant: "thumbnail", parent: "img_a", sha: String(repeating: "b", count: 64))
        XCTAssertEqual(try catalog.originalsWithoutFingerprint(limit: 10).map(\.imageID), ["img_a", "img_b"])
        try catalog.recordFingerprint(imageID: "img_a", hash: PerceptualHash(1))
        try catalog.recordFingerprint(imageID: "img_a", hash: PerceptualHash(0xDEAD_BEEF_0000_0001))
        XCTAssertEqual(try catalog.originalsWithoutFingerprint(limit: 10).map(\.imageID), ["img_b"])
        XCTAssertEqual(try catalog.originalsWithoutFingerprint(limit: 0).map(\.imageID), [])
        XCTAssertEqual(try catalog.fingerprints(), [ImageFingerprint(imageID: "img_a", contentSHA256: String(repeating: "b", count: 64),
                                                                     hash: PerceptualHash(0xDEAD_BEEF_0000_0001))])
        XCTAssertEqual(try catalog.images(withSHA256: String(repeating: "B", count: 64)).map(\.imageID), ["img_a", "img_d"],
                       "originals and derivatives, the hex in any case")
    }

    func testATakedownHidesTheImageAndItsDerivativesAndLeavesTombstones() throws {
        let catalog = try makeCatalog()
        try catalog.prepareTakedowns()
        try catalog.prepareUploadQueue()
        try store(catalog, "img_a", second: 0, template: "hero")
        try store(catalog, "img_d", second: 1, variant: "thumbnail", parent: "img_a")
        try store(catalog, "img_k", second: 2)
        try catalog.enqueueUploads([UploadFile(filePath: "content/img_a.png", imageID: "img_a", kind: .image),
                                    UploadFile(filePath: "content/img_d.png", imageID: "img_d", kind: .derivative),
                                    UploadFile(filePath: "content/img_k.png", imageID: "img_k", kind: .image)], now: now)
        let request = TakedownRecord(id: "td_1", targetKind: "image", target: "img_a", reason: "complaint", requestedAt: now,
                                     receivedAt: now, requestedBy: "user:ann")
        try catalog.openTakedown(request)
        XCTAssertEqual(try catalog.takedown(id: "td_1"), request)
        XCTAssertNil(try catalog.takedown(id: "td_nope"))

        let stone = Tombstone(imageID: "img_a", takedownID: "td_1", contentSHA256: String(repeating: "a", count: 64),
                              hash: PerceptualHash(42), template: "hero", seed: 7)
        let cleanup = TakedownCleanup(files: ["content/img_a.png", "content/img_d.png"], objectKeys: ["o/img_a.png"])
        let later = now.addingTimeInterval(5)
        try catalog.commitTakedown(id: "td_1", originals: ["img_a"], tombstones: [stone], cleanup: cleanup, now: later)
        XCTAssertEqual(try catalog.image("img_a")?.status, "taken_down")
        XCTAssertEqual(try catalog.image("img_d")?.status, "taken_down", "derivatives go with their original")
        XCTAssertEqual(try catalog.image("img_k")?.status, ImageRecord.completed)
        XCTAssertEqual(try catalog.imageFiles().map(\.imageID), ["img_k"], "taken-down files are never backed up or fetched back")
        XCTAssertEqual(try catalog.waitingUploadIDs(includeFailed: true).count, 1, "their uploads are dropped")
        XCTAssertEqual(try catalog.imagesWithoutUpload().map(\.imageID), [], "and never queued again")
        XCTAssertEqual(try catalog.availableImages(category: nil, tag: nil, limit: 10).map(\.imageID), ["img_k"])
        XCTAssertEqual(try catalog.tombstone(template: "hero", seed: 7), stone)
        XCTAssertNil(try catalog.tombstone(template: "hero", seed: 8))
        XCTAssertEqual(try catalog.tombstones(), [stone])

        var committed = request
        committed.committedAt = later
        committed.images = ["img_a"]
        committed.cleanup = cleanup
        XCTAssertEqual(try catalog.takedown(id: "td_1"), committed)
        try catalog.completeTakedown(id: "td_1", error: "object store unreachable", now: later)
        committed.lastError = "object store unreachable"
        XCTAssertEqual(try catalog.takedown(id: "td_1"), committed, "an unfinished cleanup is recorded, not completed")
        try catalog.completeTakedown(id: "td_1", error: nil, now: later.addingTimeInterval(1))
        committed.lastError = nil
        committed.completedAt = later.addingTimeInterval(1)
        XCTAssertEqual(try catalog.takedown(id: "td_1"), committed)
    }

    func testTakedownsListNewestFirst() throws {
        let catalog = try makeCatalog()
        try catalog.prepareTakedowns()
        for (n, id) in ["td_a", "td_c", "td_b"].enumerated() {
            try catalog.openTakedown(TakedownRecord(id: id, targetKind: "sha256", target: String(repeating: "c", count: 64), reason: "r",
                                                    requestedAt: now, receivedAt: now.addingTimeInterval(Double(n)), requestedBy: "cli"))
        }
        XCTAssertEqual(try catalog.takedowns(limit: 10).map(\.id), ["td_b", "td_c", "td_a"])
        XCTAssertEqual(try catalog.takedowns(limit: 2).map(\.id), ["td_b", "td_c"])
    }

    // MARK: - Output check, retention, personal data

    func testTheOutputCheckVerdictAndAQuarantineAreStoredAndNeverUploaded() throws {
        let catalog = try makeCatalog()
        try catalog.prepareUploadQueue()
        let verdict = NudityVerdict(quarantined: true, reason: "explicit nudity",
                                    findings: [NudityFinding(label: "EXPOSED", score: 0.91, box: [1, 2, 3, 4])], detector: "nudenet 3.4.2")
        try store(catalog, "img_q", second: 0, status: ImageRecord.quarantined, outputCheck: verdict)
        try store(catalog, "img_ok", second: 1, outputCheck: NudityVerdict(quarantined: false, reason: nil, findings: [], detector: "nudenet 3.4.2"))
        try store(catalog, "img_none", second: 2)
        XCTAssertEqual(try catalog.image("img_q")?.status, ImageRecord.quarantined)
        XCTAssertEqual(try catalog.image("img_q")?.outputCheck, verdict)
        XCTAssertEqual(try catalog.image("img_ok")?.outputCheck?.quarantined, false)
        XCTAssertNil(try catalog.image("img_none")?.outputCheck, "no check ran: no verdict")
        XCTAssertEqual(try catalog.imagesWithoutUpload().map(\.imageID), ["img_ok", "img_none"], "a quarantined image is never uploaded")
    }

    func testRetentionFindsRejectedAndQuarantinedOriginalsPastTheirTimeOldestFirst() throws {
        let catalog = try makeCatalog()
        try store(catalog, "img_rej", second: 50)
        try store(catalog, "img_rej_d", second: 51, variant: "thumbnail", parent: "img_rej")
        try store(catalog, "img_q_old", second: 10, status: ImageRecord.quarantined)
        try store(catalog, "img_q_rej", second: 20, status: ImageRecord.quarantined)
        try store(catalog, "img_q_new", second: 900, status: ImageRecord.quarantined)
        try store(catalog, "img_keep", second: 30)
        let rejectedAt = now.addingTimeInterval(-86_400)
        _ = try catalog.review(imageIDs: ["img_rej", "img_q_rej"], decision: .reject(reason: "off brand"), reviewer: "user:ann", now: rejectedAt)
        _ = try catalog.review(imageIDs: ["img_keep"], decision: .approve, reviewer: "user:ann", now: rejectedAt)
        let generated = Date(timeIntervalSince1970: 1_790_000_000)

        let all = try catalog.retentionCandidates(rejectedBefore: now, quarantinedBefore: generated.addingTimeInterval(100), limit: 10)
        XCTAssertEqual(all.map(\.imageID), ["img_q_old", "img_q_rej", "img_rej"], "oldest first by when each rule's clock started")
        XCTAssertEqual(all.map(\.rule), [.quarantined, .rejected, .rejected], "a rejected quarantined image counts as rejected, once")
        XCTAssertEqual(all.first?.since, generated.addingTimeInterval(10))
        XCTAssertEqual(all.last?.since, rejectedAt)
        XCTAssertEqual(all.last?.files, ["content/img_rej.png", "content/img_rej_d.png"], "the original first, then its derivatives")
        XCTAssertEqual(try catalog.retentionCandidates(rejectedBefore: now, quarantinedBefore: nil, limit: 10).map(\.imageID),
                       ["img_q_rej", "img_rej"], "the quarantine rule off")
        XCTAssertEqual(try catalog.retentionCandidates(rejectedBefore: rejectedAt, quarantinedBefore: nil, limit: 10), [],
                       "rejected exactly at the cut-off: not yet")
        XCTAssertEqual(try catalog.retentionCandidates(rejectedBefore: now, quarantinedBefore: generated.addingTimeInterval(100), limit: 2)
                        .map(\.imageID), ["img_q_old", "img_q_rej"])
        XCTAssertEqual(try catalog.retentionCandidates(rejectedBefore: nil, quarantinedBefore: nil, limit: 10), [])
    }

    func testReleasingAQuarantinedOriginalIsACompareAndSetThatKeepsTheVerdict() throws {
        let catalog = try makeCatalog()
        let verdict = NudityVerdict(quarantined: true, reason: "exposed nudity in the non-adult category product: BUTTOCKS_EXPOSED (score 0.52)",
                                    findings: [NudityFinding(label: "BUTTOCKS_EXPOSED", score: 0.52, box: [1, 2, 3, 4])],
                                    detector: "nudenet 3.4.2", rule: NudityVerdict.exposedNudity)
        try store(catalog, "img_q", second: 0, status: ImageRecord.quarantined, outputCheck: verdict)
        try store(catalog, "img_q_d", second: 1, variant: "thumbnail", parent: "img_q", status: ImageRecord.quarantined)
        try store(catalog, "img_ok", second: 2)
        XCTAssertFalse(try catalog.releaseQuarantine(imageID: "img_q_d"), "a derivative is released through its original")
        XCTAssertFalse(try catalog.releaseQuarantine(imageID: "img_ok"), "not quarantined")
        XCTAssertFalse(try catalog.releaseQuarantine(imageID: "img_none"))
        let other = try connectAgain(to: catalog)
        XCTAssertTrue(try catalog.releaseQuarantine(imageID: "img_q"))
        XCTAssertFalse(try other.releaseQuarantine(imageID: "img_q"), "a second release (another host) loses")
        XCTAssertEqual(try other.image("img_q")?.status, ImageRecord.completed)
        XCTAssertEqual(try other.image("img_q")?.outputCheck, verdict, "the verdict stays in the record")
        XCTAssertEqual(try catalog.image("img_ok")?.status, ImageRecord.completed)
    }

    func testPurgingKeepsTheRowsButClearsPromptsAndPendingUploads() throws {
        let catalog = try makeCatalog()
        try catalog.prepareUploadQueue()
        try store(catalog, "img_q", second: 0, status: ImageRecord.quarantined)
        try store(catalog, "img_q_d", second: 1, variant: "thumbnail", parent: "img_q")
        try store(catalog, "img_k", second: 2)
        try catalog.enqueueUploads([UploadFile(filePath: "content/img_q_d.png", imageID: "img_q_d", kind: .derivative),
                                    UploadFile(filePath: "content/img_k.png", imageID: "img_k", kind: .image)], now: now)
        try catalog.markPurged(imageID: "img_q", now: now)
        for id in ["img_q", "img_q_d"] {
            let image = try XCTUnwrap(try catalog.image(id), "\(id): the row stays for the ledger and the audit trail")
            XCTAssertEqual(image.status, ImageRecord.purged, id)
            XCTAssertEqual(image.prompt, "", id)
            XCTAssertNil(image.negativePrompt, id)
        }
        XCTAssertEqual(try catalog.image("img_k")?.status, ImageRecord.completed)
        XCTAssertEqual(try catalog.image("img_k")?.prompt, "a red cup img_k")
        XCTAssertEqual(try catalog.waitingUploadIDs(includeFailed: true).count, 1, "the purged derivative's upload is dropped")
        XCTAssertEqual(try catalog.retentionCandidates(rejectedBefore: now, quarantinedBefore: now, limit: 10), [], "purged once")
    }

    func testPersonalDataIsExportedThenErasedUnderAPseudonym() throws {
        let catalog = try makeCatalog()
        try catalog.prepareTakedowns()
        _ = try catalog.addUser(name: "ann", role: .admin, passwordHash: "h", now: now)
        _ = try catalog.addUser(name: "bob", role: .operator, passwordHash: "secret-hash", now: now)
        _ = try catalog.addUser(name: "cy", role: .viewer, passwordHash: "h", now: now)
        try catalog.createSession(UserSession(tokenHash: "tok", user: "bob", createdAt: now, expiresAt: now.addingTimeInterval(60),
                                              address: "192.0.2.7"))
        _ = try catalog.setAdultVerified(true, user: "cy", by: "user:bob", now: now)
        try store(catalog, "img_a", second: 0)
        _ = try catalog.review(imageIDs: ["img_a"], decision: .reject(reason: "blurry"), reviewer: "user:bob", now: now)
        try catalog.openTakedown(TakedownRecord(id: "td_1", targetKind: "image", target: "img_a", reason: "r", requestedAt: now,
                                                receivedAt: now, requestedBy: "user:bob"))

        let export = try catalog.personalData(ofUser: "bob")
        XCTAssertEqual(export.account.name, "bob")
        XCTAssertEqual(export.sessions, [SessionRecord(createdAt: now, expiresAt: now.addingTimeInterval(60), address: "192.0.2.7")])
        XCTAssertEqual(export.reviews.map(\.imageID), ["img_a"])
        XCTAssertEqual(export.takedownRequests, ["td_1"])
        XCTAssertEqual(export.adultVerificationsGiven, ["cy"])
        expectError(UserError.unknown("nobody")) { _ = try catalog.personalData(ofUser: "nobody") }

        expectError(UserError.lastAdmin("ann")) { try catalog.checkErasable(user: "ann") }
        expectError(UserError.lastAdmin("ann")) { try catalog.erasePersonalData(ofUser: "ann", pseudonym: "p_ann", now: now) }
        expectError(UserError.unknown("nobody")) { try catalog.checkErasable(user: "nobody") }
        XCTAssertNoThrow(try catalog.checkErasable(user: "bob"))
        try catalog.erasePersonalData(ofUser: "bob", pseudonym: "p_1", now: now)
        XCTAssertNil(try catalog.user(named: "bob"))
        let erased = try XCTUnwrap(try catalog.user(named: "p_1"))
        XCTAssertTrue(erased.disabled)
        XCTAssertEqual(try catalog.passwordHash(ofUser: "p_1"), "", "the password hash is gone")
        XCTAssertNil(try catalog.session(tokenHash: "tok", now: now), "sessions and their addresses are gone")
        XCTAssertEqual(try catalog.review(imageID: "img_a").reviewer, "user:p_1", "the decision stays, under the pseudonym")
        XCTAssertEqual(try catalog.takedown(id: "td_1")?.requestedBy, "user:p_1")
        XCTAssertEqual(try catalog.user(named: "cy")?.adultVerifiedBy, "user:p_1")
        XCTAssertEqual(try catalog.personalData(ofUser: "p_1").sessions, [])
    }
}
