import Foundation
import ImagegenJSON
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import Crypto
@testable import Host
@testable import ImagegenCore
@testable import Security
@testable import Server
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// People in the API: sign-in, the session cookie, CSRF, roles, the adult gate, the throttle,
/// sign-out, and the audit principal. The server has a token, so nothing passes without a
/// credential; cookies are sent by hand (the client keeps none of its own).
final class ServerSessionTests: XCTestCase {
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.connectionProxyDictionary = [:]
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration)
    }()

    struct Browser {
        let base: String
        var cookie: String?
        var csrf: String?

        func send(_ method: String, _ path: String, json: JSONValue? = nil, csrf sendCSRF: Bool = true,
                  headers: [String: String] = [:]) async throws -> ServerTestResponse {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            if let json {
                request.httpBody = json.encoded()
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
            if sendCSRF, let csrf { request.setValue(csrf, forHTTPHeaderField: "X-CSRF-Token") }
            for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
            let (data, response) = try await ServerSessionTests.session.data(for: request)
            let http = response as! HTTPURLResponse
            var fields: [String: String] = [:]
            for (k, v) in http.allHeaderFields { fields["\(k)".lowercased()] = "\(v)" }
            return ServerTestResponse(status: http.statusCode, headers: fields, body: data)
        }

        /// Signs in; returns the answer and a browser holding the cookie and CSRF token.
        func login(_ user: String, _ password: String) async throws -> (ServerTestResponse, Browser) {
            let answer = try await send("POST", "/v1/session", json: ["user": .string(user), "password": .string(password)])
            var signedIn = self
            if let setCookie = answer.headers["set-cookie"], let pair = setCookie.split(separator: ";").first {
                signedIn.cookie = String(pair)
            }
            signedIn.csrf = answer.json?["csrf_token"]?.string
            return (answer, signedIn)
        }
    }

    func addUser(_ h: ServerTestHarness, _ name: String, _ role: UserRole, adult: Bool = false) throws {
        let catalog = h.server.catalog
        _ = try catalog.addUser(name: name, role: role, passwordHash: PasswordHash.hash("correct horse \(name)")!, now: Date())
        if adult { _ = try catalog.setAdultVerified(true, user: name, by: "user:root", now: Date()) }
    }

    /// Stores an original of `category` straight into the catalog (adult generation needs an attestation).
    func storeImage(_ h: ServerTestHarness, _ id: String, category: String) throws {
        let record = ImageRecord(imageID: id, prompt: "a secret prompt", model: "preview", parameters: .init(width: 8, height: 8, seed: 1),
                                 category: category, tags: [], filePath: "content/\(id).png",
                                 metadata: .init(generatedAt: RecordTime.iso(Date()), apiUsed: "preview/preview-1"),
                                 status: "completed", version: 1, variant: "original", contentSHA256: String(repeating: "b", count: 64),
                                 mime: "image/png", bytes: 3, extra: [:])
        try h.server.catalog.storeImage(record, outputIndex: 0, pluginID: nil, providerModel: nil, costSource: "unknown")
    }

    func testSignInCookieCSRFRolesAndSignOut() async throws {
        let h = try await ServerTestHarness(label: "srv-session", token: "machine-token-0123456789")
        defer { Task { await h.stop() } }
        try addUser(h, "rita", .reviewer)
        try addUser(h, "vic", .viewer)
        try storeImage(h, "img_s1", category: "product")
        let browser = Browser(base: h.client.base)

        let noCredential = try await browser.send("GET", "/v1/images")
        XCTAssertEqual(noCredential.status, 401, "a token server admits no one without a credential")
        let (wrong, _) = try await browser.login("rita", "not the password")
        XCTAssertEqual(wrong.status, 401)
        XCTAssertEqual(wrong.errorCode, "login_failed")
        XCTAssertNil(wrong.headers["set-cookie"])

        let (ok, rita) = try await browser.login("rita", "correct horse rita")
        XCTAssertEqual(ok.status, 200, ok.text)
        let cookie = try XCTUnwrap(ok.headers["set-cookie"])
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] { XCTAssertTrue(cookie.contains(attribute), cookie) }
        XCTAssertFalse(cookie.contains("Secure"), "loopback has no TLS: \(cookie)")
        XCTAssertEqual(ok.json?["role"]?.string, "reviewer")
        XCTAssertNotNil(rita.csrf)

        let me = try await rita.send("GET", "/v1/session")
        XCTAssertEqual(me.json?["principal"]?.string, "user:rita")
        XCTAssertEqual(me.json?["csrf_token"]?.string, rita.csrf)
        let list = try await rita.send("GET", "/v1/images")
        XCTAssertEqual(list.status, 200, list.text)
        XCTAssertEqual(list.json?["images"]?.array?.first?["prompt"]?.string, "a secret prompt", "reviewers read prompts")

        let noCSRF = try await rita.send("POST", "/v1/images/img_s1/approve", csrf: false)
        XCTAssertEqual(noCSRF.status, 403)
        XCTAssertEqual(noCSRF.errorCode, "csrf_required")
        var forged = rita
        forged.csrf = String(repeating: "0", count: 64)
        let badCSRF = try await forged.send("POST", "/v1/images/img_s1/approve")
        XCTAssertEqual(badCSRF.errorCode, "csrf_required")
        let crossSite = try await rita.send("POST", "/v1/images/img_s1/approve", headers: ["Sec-Fetch-Site": "cross-site"])
        XCTAssertEqual(crossSite.errorCode, "cross_site")
        let approved = try await rita.send("POST", "/v1/images/img_s1/approve")
        XCTAssertEqual(approved.status, 200, approved.text)
        XCTAssertEqual(approved.json?["reviewer"]?.string, "user:rita")
        let generate = try await rita.send("POST", "/v1/generations", json: ["prompt": "a cup"])
        XCTAssertEqual(generate.status, 403, "a reviewer does not spend")
        XCTAssertEqual(generate.errorCode, "forbidden")
        let users = try await rita.send("GET", "/v1/users")
        XCTAssertEqual(users.status, 403, "people are the admins'")

        let (_, vic) = try await browser.login("vic", "correct horse vic")
        let vicList = try await vic.send("GET", "/v1/images")
        XCTAssertEqual(vicList.json?["images"]?.array?.first?["prompt"]?.string, "", "viewers do not read prompts")
        let vicApprove = try await vic.send("POST", "/v1/images/img_s1/approve")
        XCTAssertEqual(vicApprove.status, 403)

        let out = try await rita.send("DELETE", "/v1/session")
        XCTAssertEqual(out.status, 204)
        XCTAssertTrue(out.headers["set-cookie"]?.contains("Max-Age=0") ?? false)
        let after = try await rita.send("GET", "/v1/images")
        XCTAssertEqual(after.status, 401, "the session is gone from the catalog")

        // The machine token keeps working unchanged.
        let machine = try await h.client.get("/v1/images")
        XCTAssertEqual(machine.status, 200)
        await h.stop()

        let entries = try h.host.auditEntries()
        XCTAssertTrue(entries.contains { $0.action == .login && $0.principal == "user:rita" })
        XCTAssertTrue(entries.contains { $0.action == .loginRefusal && $0.subject == "rita" && $0.details["reason"] == "wrong password" })
        XCTAssertTrue(entries.contains { $0.action == .imageApproval && $0.principal == "user:rita" })
        XCTAssertTrue(entries.contains { $0.action == .logout && $0.principal == "user:rita" })
        let log = try String(contentsOfFile: h.host.auditLogPath, encoding: .utf8)
        XCTAssertFalse(log.contains("correct horse"), "a password reached the audit log")
    }

    func testAdultCategoriesOnlyForVerifiedAdults() async throws {
        let h = try await ServerTestHarness(label: "srv-adult", token: "machine-token-0123456789")
        defer { Task { await h.stop() } }
        try addUser(h, "ada", .reviewer, adult: true)
        try addUser(h, "kim", .reviewer)
        try storeImage(h, "img_p", category: "product")
        try storeImage(h, "img_l", category: "lingerie")
        let browser = Browser(base: h.client.base)
        let (_, kim) = try await browser.login("kim", "correct horse kim")
        let (_, ada) = try await browser.login("ada", "correct horse ada")

        let kimList = try await kim.send("GET", "/v1/images")
        XCTAssertEqual(kimList.json?["images"]?.array?.compactMap { $0["image_id"]?.string }, ["img_p"])
        for path in ["/v1/images/img_l", "/v1/images/img_l/file"] {
            let hidden = try await kim.send("GET", path)
            XCTAssertEqual(hidden.status, 404, "\(path) is unknown to a person not verified as an adult")
        }
        let kimApprove = try await kim.send("POST", "/v1/images/img_l/approve")
        XCTAssertEqual(kimApprove.status, 404)
        let adaList = try await ada.send("GET", "/v1/images")
        XCTAssertEqual(Set(adaList.json?["images"]?.array?.compactMap { $0["image_id"]?.string } ?? []), ["img_p", "img_l"])
        let me = try await ada.send("GET", "/v1/session")
        XCTAssertEqual(me.json?["adult_verified"], .bool(true))
        await h.stop()
    }

    func testFailedSignInsAreThrottledPerUser() async throws {
        let h = try await ServerTestHarness(label: "srv-throttle", token: "machine-token-0123456789")
        defer { Task { await h.stop() } }
        try addUser(h, "tom", .viewer)
        let browser = Browser(base: h.client.base)
        for _ in 0..<5 {
            let (wrong, _) = try await browser.login("tom", "guess guess guess")
            XCTAssertEqual(wrong.status, 401)
        }
        let (throttled, _) = try await browser.login("tom", "correct horse tom")
        XCTAssertEqual(throttled.status, 429, "even the right password waits once the limit is reached")
        XCTAssertEqual(throttled.errorCode, "too_many_attempts")
        XCTAssertNotNil(throttled.headers["retry-after"])
        await h.stop()
    }

    func testAdminsManagePeopleAndDisablingEndsSessions() async throws {
        let h = try await ServerTestHarness(label: "srv-users", token: "machine-token-0123456789")
        defer { Task { await h.stop() } }
        try addUser(h, "root", .admin)
        let browser = Browser(base: h.client.base)
        let (_, root) = try await browser.login("root", "correct horse root")
        let short = try await root.send("POST", "/v1/users", json: ["name": "ed", "role": "operator", "password": "short"])
        XCTAssertEqual(short.status, 400, short.text)
        let added = try await root.send("POST", "/v1/users", json: ["name": "ed", "role": "operator", "password": "a long enough pass"])
        XCTAssertEqual(added.status, 201, added.text)
        let again = try await root.send("POST", "/v1/users", json: ["name": "ed", "role": "viewer", "password": "a long enough pass"])
        XCTAssertEqual(again.status, 409)
        let (_, ed) = try await browser.login("ed", "a long enough pass")
        let edSession = try await ed.send("GET", "/v1/session")
        XCTAssertEqual(edSession.json?["role"]?.string, "operator")
        let verified = try await root.send("POST", "/v1/users/ed", json: ["adult_verified": true])
        XCTAssertEqual(verified.json?["adult_verified_by"]?.string, "user:root")
        let disabled = try await root.send("POST", "/v1/users/ed", json: ["disabled": true])
        XCTAssertEqual(disabled.json?["disabled"], .bool(true))
        let edAfter = try await ed.send("GET", "/v1/images")
        XCTAssertEqual(edAfter.status, 401, "disabling ends the sessions")
        let lastAdmin = try await root.send("POST", "/v1/users/root", json: ["role": "viewer"])
        XCTAssertEqual(lastAdmin.status, 409, lastAdmin.text)
        await h.stop()
        let entries = try h.host.auditEntries()
        XCTAssertTrue(entries.contains { $0.action == .adultVerification && $0.subject == "ed" && $0.principal == "user:root" })
        XCTAssertTrue(entries.contains { $0.action == .userChange && $0.subject == "ed" && $0.details["change"] == "disabled" })
    }

    func testPasswordHashingAndThrottleUnits() {
        let hash = PasswordHash.hash("correct horse battery")!
        XCTAssertTrue(hash.hasPrefix("$argon2id$"), hash)
        XCTAssertTrue(PasswordHash.verify("correct horse battery", against: hash))
        XCTAssertFalse(PasswordHash.verify("correct horse batterY", against: hash))
        XCTAssertFalse(PasswordHash.verify("x", against: "not a hash"))
        XCTAssertNotEqual(PasswordHash.hash("correct horse battery"), hash, "salted")

        let throttle = LoginThrottle(limits: .init(perUser: 2, perAddress: 3, window: 60))
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        XCTAssertNil(throttle.retryAfter(user: "a", address: "1.2.3.4", now: t0))
        throttle.recordFailure(user: "a", address: "1.2.3.4", now: t0)
        throttle.recordFailure(user: "a", address: "1.2.3.4", now: t0)
        XCTAssertEqual(throttle.retryAfter(user: "A", address: "5.6.7.8", now: t0.addingTimeInterval(10)), 50, "per user, any case, any address")
        XCTAssertNil(throttle.retryAfter(user: "a", address: "1.2.3.4", now: t0.addingTimeInterval(61)), "the window slides")
        throttle.recordFailure(user: "b", address: "1.2.3.4", now: t0.addingTimeInterval(62))
        throttle.recordFailure(user: "c", address: "1.2.3.4", now: t0.addingTimeInterval(62))
        throttle.recordFailure(user: "d", address: "1.2.3.4", now: t0.addingTimeInterval(62))
        XCTAssertNotNil(throttle.retryAfter(user: "e", address: "1.2.3.4", now: t0.addingTimeInterval(63)), "per address")

        XCTAssertEqual(SessionToken.fromCookies(["Cookie": "a=b; imagegen_session=\(String(repeating: "ab", count: 32))"]),
                       String(repeating: "ab", count: 32))
        XCTAssertNil(SessionToken.fromCookies(["Cookie": "imagegen_session=short"]))
        let token = SessionToken.make()
        XCTAssertNotEqual(SessionToken.csrf(for: token), SessionToken.csrf(for: SessionToken.make()))
        XCTAssertEqual(RoutePermissions.need(.post, "/v1/generations"), .role(.operator))
        XCTAssertEqual(RoutePermissions.need(.post, "/v1/images/{id}/reject"), .role(.reviewer))
        XCTAssertEqual(RoutePermissions.need(.get, "/v1/users"), .role(.admin))
        XCTAssertEqual(RoutePermissions.need(.put, "/v1/something/new"), .role(.operator), "an unlisted write needs an operator")
    }
}
