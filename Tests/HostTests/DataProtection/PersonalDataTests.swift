import Foundation
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import Composition
@testable import Crypto
@testable import Host
@testable import ImagegenCore
@testable import Operations
@testable import Security

/// A user's personal data exported and erased by an admin (issue 17 item 9): the audit chain
/// still verifies after the erasure, and the name is gone from the catalog and the log.
final class PersonalDataTests: XCTestCase {
    private func hostWithPeople(_ label: String) async throws -> (TestHost, ImageGenerator, String) {
        let host = try TestHost(label: label)
        let generator = try host.generator()
        let catalog = generator.composition.catalog
        let now = Date()
        _ = try catalog.addUser(name: "root", role: .admin, passwordHash: "$argon2id$x", now: now)
        _ = try catalog.addUser(name: "alice", role: .reviewer, passwordHash: "$argon2id$y", now: now)
        _ = try catalog.addUser(name: "alicia", role: .viewer, passwordHash: "$argon2id$z", now: now)
        _ = try catalog.setAdultVerified(true, user: "alicia", by: "user:alice", now: now)
        try catalog.createSession(UserSession(tokenHash: "h1", user: "alice", createdAt: now, expiresAt: now.addingTimeInterval(3600),
                                              address: "192.0.2.7"))
        let image = try await generator.generateCustom(prompt: "a teapot")[0]
        _ = try catalog.review(imageIDs: [image.imageID], decision: .reject(reason: "blurry"), reviewer: "user:alice", now: now)
        let audit = generator.composition.security.audit
        audit.record(.userChange, subject: "alice", details: ["change": "added", "role": "reviewer"], caller: Caller(principal: "user:root"))
        audit.record(.login, subject: "alice", details: ["address": "192.0.2.7"], caller: Caller(principal: "user:alice"))
        audit.record(.imageRejection, subject: image.imageID, details: ["reason": "blurry"], caller: Caller(principal: "user:alice"))
        audit.record(.apiCall, subject: "GET /v1/users/alice/export", details: ["status": "200"], caller: Caller(principal: "user:root"))
        audit.record(.login, subject: "alicia", details: ["address": "192.0.2.8"], caller: Caller(principal: "user:alicia"))
        return (host, generator, image.imageID)
    }

    func testExportGivesTheAccountSessionsDecisionsAndAuditEntries() async throws {
        let (host, generator, imageID) = try await hostWithPeople("personal-export")
        let service = PersonalDataService(catalog: generator.composition.catalog, audit: generator.composition.security.audit)
        let export = try service.export(user: "alice", now: Date())
        XCTAssertEqual(export.catalog.account.name, "alice")
        XCTAssertEqual(export.catalog.sessions.map(\.address), ["192.0.2.7"])
        XCTAssertEqual(export.catalog.reviews.map(\.imageID), [imageID])
        XCTAssertEqual(export.catalog.adultVerificationsGiven, ["alicia"])
        XCTAssertEqual(export.auditEntries.map(\.action), [.userChange, .login, .imageRejection, .apiCall])
        let cli = try host.cli(["users", "export", "alice"])
        XCTAssertEqual(cli.status, 0, cli.stderr)
        XCTAssertTrue(cli.stdout.contains("\"audit_entries\"") && cli.stdout.contains("192.0.2.7"), cli.stdout)
        XCTAssertFalse(cli.stdout.contains("$argon2id$y"), "no password hash in an export")
        XCTAssertEqual(try host.cli(["users", "export", "nobody"]).status, 2, "an unknown user is invalid input")
        await generator.shutdown()
    }

    func testErasurePseudonymisesTheCatalogAndTheAuditLogWhichStillVerifies() async throws {
        let (host, generator, imageID) = try await hostWithPeople("personal-erase")
        let auditPath = generator.composition.security.audit.path
        let before = try String(contentsOfFile: auditPath, encoding: .utf8)
        XCTAssertTrue(before.contains("user:alice"))
        // Refused without --yes, and for the last enabled admin, with nothing changed.
        XCTAssertEqual(try host.cli(["users", "erase", "alice"]).status, 2)
        let lastAdmin = try host.cli(["users", "erase", "root", "--yes"])
        XCTAssertNotEqual(lastAdmin.status, 0)
        XCTAssertTrue(lastAdmin.stderr.contains("last enabled admin"), lastAdmin.stderr)
        XCTAssertEqual(try String(contentsOfFile: auditPath, encoding: .utf8), before)

        let erased = try host.cli(["users", "erase", "alice", "--yes", "--json"])
        XCTAssertEqual(erased.status, 0, erased.stderr)
        let pseudonym = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(erased.stdout.utf8)) as? [String: Any])["pseudonym"] as? String
        XCTAssertTrue(pseudonym?.hasPrefix("erased-") ?? false)

        // The chain verifies, with the same key ring, after the rewrite.
        let verify = try host.cli(["audit", "verify"])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        let after = try String(contentsOfFile: auditPath, encoding: .utf8)
        XCTAssertFalse(after.contains("\"user:alice\"") || after.contains("\"alice\"") || after.contains("/users/alice/"), after)
        XCTAssertTrue(after.contains("user:alicia") && after.contains("\"alicia\""), "another user's entries are untouched")
        XCTAssertTrue(after.contains("\"user.erase\""))
        // The entries before the first naming alice kept their bytes (and MACs).
        let firstAlice = before.components(separatedBy: "\n").firstIndex { $0.contains("alice") } ?? 0
        XCTAssertEqual(Array(after.components(separatedBy: "\n").prefix(firstAlice)), Array(before.components(separatedBy: "\n").prefix(firstAlice)))

        let catalog = try host.catalog()
        XCTAssertNil(try catalog.user(named: "alice"))
        let renamed = try XCTUnwrap(try catalog.user(named: pseudonym!))
        XCTAssertTrue(renamed.disabled)
        XCTAssertEqual(try catalog.passwordHash(ofUser: pseudonym!), "")
        XCTAssertEqual(try catalog.review(imageID: imageID).reviewer, "user:" + pseudonym!)
        XCTAssertEqual(try catalog.user(named: "alicia")?.adultVerifiedBy, "user:" + pseudonym!)
        XCTAssertEqual(try catalog.database.query("SELECT COUNT(*) AS n FROM sessions").first?["n"]?.int, 0)
        // A new entry chains on the rewritten log.
        generator.composition.security.audit.record(.userChange, subject: "alicia", details: ["change": "disabled"])
        XCTAssertEqual(try host.cli(["audit", "verify"]).status, 0)
        XCTAssertEqual(try host.cli(["users", "export", "alice"]).status, 2, "nothing is left under the name")
        await generator.shutdown()
    }

    /// A kill between cutting the log and writing it back is finished at the next open.
    func testAnInterruptedRewriteIsFinishedAtTheNextOpen() throws {
        let folder = TestEnvironment.temporaryDirectory("audit-rewrite")
        let ring = try KeyRing(current: MasterKey.generate())
        let path = folder + "/audit.log"
        let log = try AuditLog(path: path, keyRing: ring)
        try log.append(principal: "user:bob", action: .login, subject: "bob")
        try log.append(principal: "user:carol", action: .login, subject: "carol")
        _ = try log.pseudonymise({ AuditTrail.replacing($0, user: "bob", with: "erased-1") }, principal: "cli:admin", pseudonym: "erased-1")
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        // As if killed after the copy was written and the log cut.
        try good.write(to: URL(fileURLWithPath: path + ".rewrite"))
        try Data(good.prefix(10)).write(to: URL(fileURLWithPath: path))
        let reopened = try AuditLog(path: path, keyRing: ring)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), good)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".rewrite"))
        XCTAssertTrue(try AuditLogReader(path: path).verify(keyRing: ring).isIntact)
        try reopened.append(principal: "user:carol", action: .logout, subject: "carol")
        XCTAssertTrue(try AuditLogReader(path: path).verify(keyRing: ring).isIntact)
    }
}
