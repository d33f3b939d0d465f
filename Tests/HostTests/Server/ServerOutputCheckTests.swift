import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import ImagegenCore
@testable import Pipeline
@testable import Security
@testable import Server
import ImagegenTestSupport

/// The output check and personal data over the API: `GET /v1/images?review=quarantined` lists
/// what the check held back (with its verdict) and `available=true` never does;
/// `GET /v1/users/{name}/export` and `POST /v1/erasures` for admins.
final class ServerOutputCheckTests: XCTestCase {
    func testQuarantinedImagesAreListedForReviewersAndNeverAvailable() async throws {
        let h = try await ServerTestHarness(label: "srv-quarantine", config: "{ imaging: { postProcessing: { automatic: false } } }")
        defer { Task { await h.stop() } }
        h.server.service.useOutputCheck(OutputCheck(classifier: RecordedNudityClassifier(answers: [
            [NudityFinding(label: "BUTTOCKS_EXPOSED", score: 0.77, box: [1, 2, 3, 4])], [],
        ])))
        var ids: [String] = []
        for seed in [1, 2] {
            let r = try await h.client.generate(["prompt": "a wooden chair", "parameters": ["width": 96, "height": 96, "seed": .number(Double(seed))],
                                                 "category": "product", "wait": 30])
            XCTAssertEqual(r.status, 200, r.text)
            ids += (r.json?["images"]?.array ?? []).compactMap { $0["image_id"]?.string }
        }
        XCTAssertEqual(ids.count, 2)
        let held = try await h.client.get("/v1/images?review=quarantined")
        XCTAssertEqual(held.status, 200, held.text)
        let rows = held.json?["images"]?.array ?? []
        XCTAssertEqual(rows.compactMap { $0["image_id"]?.string }, [ids[0]])
        XCTAssertEqual(rows.first?["status"]?.string, "quarantined")
        XCTAssertTrue(rows.first?["output_check"]?["reason"]?.string?.contains("BUTTOCKS_EXPOSED") ?? false, held.text)
        let available = try await h.client.get("/v1/images?available=true")
        XCTAssertEqual(available.json?["images"]?.array?.compactMap { $0["image_id"]?.string }, [ids[1]])
        let bad = try await h.client.get("/v1/images?review=quarantine")
        XCTAssertEqual(bad.status, 400, bad.text)
        XCTAssertTrue(bad.text.contains("quarantined"), bad.text)

        // The review UI's release: a reason is needed; then it is available, once.
        let noReason = try await h.client.send("POST", "/v1/images/\(ids[0])/release", json: .object([:]))
        XCTAssertEqual(noReason.status, 400, noReason.text)
        let released = try await h.client.send("POST", "/v1/images/\(ids[0])/release", json: ["reason": "a chair's back, not a body"])
        XCTAssertEqual(released.status, 200, released.text)
        XCTAssertEqual(released.json?["status"]?.string, "completed")
        let now = try await h.client.get("/v1/images?available=true")
        XCTAssertEqual(Set(now.json?["images"]?.array?.compactMap { $0["image_id"]?.string } ?? []), Set(ids))
        let twice = try await h.client.send("POST", "/v1/images/\(ids[0])/release", json: ["reason": "again"])
        XCTAssertEqual(twice.status, 409, twice.text)
        XCTAssertEqual(twice.json?["error"]?["code"]?.string, "not_quarantined", twice.text)
        let unknown = try await h.client.send("POST", "/v1/images/img_none/release", json: ["reason": "r"])
        XCTAssertEqual(unknown.status, 404, unknown.text)
        await h.stop()
        let release = try XCTUnwrap(try h.host.auditEntries().first { $0.action == .quarantineRelease })
        XCTAssertEqual(release.subject, ids[0])
        XCTAssertEqual(release.details["reason"], "a chair's back, not a body")
    }

    func testAnAdminExportsAndErasesAUserOverTheAPI() async throws {
        let h = try await ServerTestHarness(label: "srv-personal")
        defer { Task { await h.stop() } }
        _ = try h.server.catalog.addUser(name: "bob", role: .viewer, passwordHash: "$argon2id$b", now: Date())
        let export = try await h.client.get("/v1/users/bob/export")
        XCTAssertEqual(export.status, 200, export.text)
        XCTAssertEqual(export.json?["catalog"]?["account"]?["name"]?.string, "bob")
        let unknown = try await h.client.get("/v1/users/nobody/export")
        XCTAssertEqual(unknown.status, 404, unknown.text)
        let unconfirmed = try await h.client.send("POST", "/v1/erasures", json: ["user": "bob", "confirm": "bo"])
        XCTAssertEqual(unconfirmed.status, 400, unconfirmed.text)
        let erased = try await h.client.send("POST", "/v1/erasures", json: ["user": "bob", "confirm": "bob"])
        XCTAssertEqual(erased.status, 200, erased.text)
        let pseudonym = try XCTUnwrap(erased.json?["pseudonym"]?.string)
        XCTAssertNil(try h.server.catalog.user(named: "bob"))
        XCTAssertNotNil(try h.server.catalog.user(named: pseudonym))
        // The log the server writes to still verifies, and the server keeps appending to it.
        _ = try await h.client.get("/v1/users")
        let verify = try h.host.cli(["audit", "verify"])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertFalse(try String(contentsOfFile: h.server.service.runtime.security.audit.path, encoding: .utf8).contains("bob"))
        await h.stop()
    }
}
