import Foundation
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import Crypto

/// `imagegen users …` against a real catalog: exit codes, errors that name the user or option,
/// passwords read from standard input only, never echoed, and stored as Argon2id hashes.
final class UsersCommandTests: XCTestCase {
    let password = "correct horse battery staple"

    private func host() throws -> TestHost {
        try SodiumRuntime.prepare()
        return try TestHost(label: "users-cli", plugins: [])
    }

    func testAddStoresAnArgon2idHashAndNeverEchoesThePassword() throws {
        let h = try host()
        let r = try h.cli(["users", "add", "ana", "--role", "reviewer", "--password-stdin"], stdin: password + "\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("ana"), r.stdout)
        XCTAssertFalse((r.stdout + r.stderr).contains(password), "the password is never printed")
        let catalog = try h.catalog()
        let stored = try XCTUnwrap(try catalog.passwordHash(ofUser: "ana"))
        XCTAssertTrue(stored.hasPrefix("$argon2id$"), "an Argon2id string, got \(stored.prefix(10))")
        XCTAssertTrue(PasswordHash.verify(password, against: stored), "the trailing newline is not part of the password")
        XCTAssertFalse(PasswordHash.verify(password + "\n", against: stored))
        XCTAssertEqual(try catalog.user(named: "ana")?.role, .reviewer)

        let list = try h.cli(["users", "list", "--json"])
        XCTAssertEqual(list.status, 0, list.stderr)
        let users = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(users?.map { $0["name"] as? String }, ["ana"])
        XCTAssertEqual(users?.first?["role"] as? String, "reviewer")
        XCTAssertFalse(list.stdout.contains("argon2"), "no hash in the listing")
        let table = try h.cli(["users", "list"])
        XCTAssertTrue(table.stdout.contains("ana") && table.stdout.contains("reviewer") && table.stdout.contains("enabled"), table.stdout)
    }

    func testAddRefusals() throws {
        let h = try host()
        let noStdin = try h.cli(["users", "add", "ana", "--role", "viewer"])
        XCTAssertEqual(noStdin.status, 2)
        XCTAssertTrue(noStdin.stderr.contains("--password-stdin"), noStdin.stderr)

        let noRole = try h.cli(["users", "add", "ana", "--password-stdin"], stdin: password)
        XCTAssertEqual(noRole.status, 2)
        XCTAssertTrue(noRole.stderr.contains("--role"), noRole.stderr)

        let badRole = try h.cli(["users", "add", "ana", "--role", "boss", "--password-stdin"], stdin: password)
        XCTAssertEqual(badRole.status, 2)
        XCTAssertTrue(badRole.stderr.contains("--role") && badRole.stderr.contains("boss"), badRole.stderr)

        let badName = try h.cli(["users", "add", "../ana", "--role", "viewer", "--password-stdin"], stdin: password)
        XCTAssertEqual(badName.status, 2)
        XCTAssertTrue(badName.stderr.contains("../ana"), badName.stderr)

        let weak = "short1"
        let weakRun = try h.cli(["users", "add", "ana", "--role", "viewer", "--password-stdin"], stdin: weak)
        XCTAssertEqual(weakRun.status, 2)
        XCTAssertTrue(weakRun.stderr.contains("password refused"), weakRun.stderr)
        XCTAssertFalse(weakRun.stderr.contains(weak), "the refused password is not echoed")

        let empty = try h.cli(["users", "add", "ana", "--role", "viewer", "--password-stdin"], stdin: "")
        XCTAssertEqual(empty.status, 2)
        XCTAssertTrue(empty.stderr.contains("empty"), empty.stderr)
        XCTAssertEqual(try h.catalog().users(), [], "nothing was added by a refused command")

        XCTAssertEqual(try h.cli(["users", "add", "ana", "--role", "viewer", "--password-stdin"], stdin: password).status, 0)
        let twice = try h.cli(["users", "add", "ana", "--role", "admin", "--password-stdin"], stdin: password)
        XCTAssertEqual(twice.status, 1, "a conflict")
        XCTAssertTrue(twice.stderr.contains("ana") && twice.stderr.contains("exists") && twice.stderr.contains("users passwd"), twice.stderr)
        XCTAssertEqual(try h.catalog().user(named: "ana")?.role, .viewer, "the existing account is unchanged")

        let noVerb = try h.cli(["users"])
        XCTAssertEqual(noVerb.status, 2)
        XCTAssertTrue(noVerb.stderr.contains("users add NAME"), noVerb.stderr)
        XCTAssertEqual(try h.cli(["users", "add", "--role", "viewer", "--password-stdin"], stdin: password).status, 2, "NAME is required")
    }

    func testPasswdReplacesTheHashAndEndsSessions() throws {
        let h = try host()
        XCTAssertEqual(try h.cli(["users", "add", "bo", "--role", "operator", "--password-stdin"], stdin: password).status, 0)
        let catalog = try h.catalog()
        let now = Date()
        try catalog.createSession(UserSession(tokenHash: "abc", user: "bo", createdAt: now, expiresAt: now.addingTimeInterval(3600), address: "127.0.0.1"))
        let old = try XCTUnwrap(try catalog.passwordHash(ofUser: "bo"))

        let newPassword = "another long passphrase"
        let r = try h.cli(["users", "passwd", "bo", "--password-stdin"], stdin: newPassword + "\r\n")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse((r.stdout + r.stderr).contains(newPassword))
        let stored = try XCTUnwrap(try h.catalog().passwordHash(ofUser: "bo"))
        XCTAssertNotEqual(stored, old)
        XCTAssertTrue(stored.hasPrefix("$argon2id$"))
        XCTAssertTrue(PasswordHash.verify(newPassword, against: stored))
        XCTAssertNil(try h.catalog().session(tokenHash: "abc", now: now), "a new password ends the old sessions")

        let unknown = try h.cli(["users", "passwd", "nobody", "--password-stdin"], stdin: newPassword)
        XCTAssertEqual(unknown.status, 2, "not found")
        XCTAssertTrue(unknown.stderr.contains("nobody") && unknown.stderr.contains("users list"), unknown.stderr)
        let weak = try h.cli(["users", "passwd", "bo", "--password-stdin"], stdin: "aaaaaaaaaaaa")
        XCTAssertEqual(weak.status, 2)
        XCTAssertTrue(weak.stderr.contains("password refused"), weak.stderr)
        XCTAssertEqual(try h.catalog().passwordHash(ofUser: "bo"), stored, "a refused password changes nothing")
    }

    func testDisableEnableAndTheLastAdmin() throws {
        let h = try host()
        XCTAssertEqual(try h.cli(["users", "add", "root", "--role", "admin", "--password-stdin"], stdin: password).status, 0)
        XCTAssertEqual(try h.cli(["users", "add", "cy", "--role", "viewer", "--password-stdin"], stdin: password).status, 0)
        let now = Date()
        try h.catalog().createSession(UserSession(tokenHash: "cy-session", user: "cy", createdAt: now, expiresAt: now.addingTimeInterval(3600), address: "127.0.0.1"))

        let r = try h.cli(["users", "disable", "cy"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try h.catalog().user(named: "cy")?.disabled, true)
        XCTAssertNil(try h.catalog().session(tokenHash: "cy-session", now: now), "disabling ends the sessions")
        XCTAssertTrue(try h.cli(["users", "list"]).stdout.contains("disabled"))
        XCTAssertEqual(try h.cli(["users", "enable", "cy"]).status, 0)
        XCTAssertEqual(try h.catalog().user(named: "cy")?.disabled, false)

        let last = try h.cli(["users", "disable", "root"])
        XCTAssertEqual(last.status, 1)
        XCTAssertTrue(last.stderr.contains("root") && last.stderr.contains("last enabled admin"), last.stderr)
        XCTAssertEqual(try h.catalog().user(named: "root")?.disabled, false)

        let unknown = try h.cli(["users", "disable", "ghost"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("ghost"), unknown.stderr)

        let audit = try h.cli(["audit", "--action", "user.change", "--json"])
        XCTAssertEqual(audit.status, 0, audit.stderr)
        XCTAssertTrue(audit.stdout.contains("cy") && audit.stdout.contains("disabled") && audit.stdout.contains("enabled"), audit.stdout)
        XCTAssertTrue(audit.stdout.contains("cli:"), "the principal is the command-line user")
        XCTAssertFalse(audit.stdout.contains(password))
    }

    func testAdultMarkingIsRecordedAndAudited() throws {
        let h = try host()
        XCTAssertEqual(try h.cli(["users", "add", "dee", "--role", "reviewer", "--password-stdin"], stdin: password).status, 0)
        let on = try h.cli(["users", "adult", "dee", "--on"])
        XCTAssertEqual(on.status, 0, on.stderr)
        let account = try XCTUnwrap(try h.catalog().user(named: "dee"))
        XCTAssertTrue(account.adultVerified)
        XCTAssertTrue(account.adultVerifiedBy?.hasPrefix("cli:") == true, "the admin who confirmed it: \(account.adultVerifiedBy ?? "nil")")
        XCTAssertNotNil(account.adultVerifiedAt)

        let audit = try h.cli(["audit", "--action", "user.adult_verification", "--json"])
        XCTAssertEqual(audit.status, 0, audit.stderr)
        XCTAssertTrue(audit.stdout.contains("dee") && audit.stdout.contains("true"), audit.stdout)

        XCTAssertEqual(try h.cli(["users", "adult", "dee", "--off"]).status, 0)
        XCTAssertEqual(try h.catalog().user(named: "dee")?.adultVerified, false)
        let after = try h.cli(["audit", "--action", "user.adult_verification", "--json"])
        XCTAssertTrue(after.stdout.contains("false"), "the withdrawal is audited too: \(after.stdout)")

        let both = try h.cli(["users", "adult", "dee", "--on", "--off"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.stderr.contains("--on") && both.stderr.contains("--off"), both.stderr)
        XCTAssertEqual(try h.cli(["users", "adult", "dee"]).status, 2)
        let unknown = try h.cli(["users", "adult", "nobody", "--on"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("nobody"), unknown.stderr)
    }
}
