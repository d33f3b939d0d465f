import Foundation
import XCTest
@testable import Catalog
@testable import Crypto
@testable import Host
@testable import ImagegenCore
@testable import Server

/// The web app's own endpoints pass the same checks as every `/v1/` route: the pages are public
/// (the login is one of them), the data behind them is not; a session's write needs its CSRF
/// token and its role; a person not marked as an adult sees no adult template.
final class WebAppAccessTests: XCTestCase {
    func testThePagesArePublicAndTheirEndpointsNeedARoleAndTheCSRFToken() async throws {
        let h = try await ServerTestHarness(label: "srv-webapp-access", token: "machine-token-0123456789")
        defer { Task { await h.stop() } }
        for (name, role) in [("rita", UserRole.reviewer), ("vic", UserRole.viewer)] {
            _ = try h.server.catalog.addUser(name: name, role: role, passwordHash: PasswordHash.hash("correct horse \(name)")!, now: Date())
        }
        let record = ImageRecord(imageID: "img_w1", prompt: "a secret prompt", model: "preview", parameters: .init(width: 8, height: 8, seed: 1),
                                 category: "product", tags: [], filePath: "content/img_w1.png",
                                 metadata: .init(generatedAt: RecordTime.iso(Date()), apiUsed: "preview/preview-1"),
                                 status: "completed", version: 1, variant: "original", contentSHA256: String(repeating: "b", count: 64),
                                 mime: "image/png", bytes: 3, extra: [:])
        try h.server.catalog.storeImage(record, outputIndex: 0, pluginID: nil, providerModel: nil, costSource: "unknown")
        let browser = ServerSessionTests.Browser(base: h.client.base)

        let page = try await browser.send("GET", "/")
        XCTAssertEqual(page.status, 200, "the app (and its login form) loads without a session")
        let script = try await browser.send("GET", "/app/app.js")
        XCTAssertEqual(script.status, 200)
        for path in ["/v1/templates", "/v1/plan", "/v1/alerts", "/v1/uploads", "/v1/experiments", "/v1/images/img_w1/versions"] {
            let anonymous = try await browser.send("GET", path)
            XCTAssertEqual(anonymous.status, 401, "\(path) without a session: \(anonymous.text)")
        }

        let (_, vic) = try await browser.login("vic", "correct horse vic")
        let read = try await vic.send("GET", "/v1/templates")
        XCTAssertEqual(read.status, 200, read.text)
        let names = read.json?["templates"]?.array?.compactMap { $0["adult"]?.bool } ?? []
        XCTAssertFalse(names.isEmpty)
        XCTAssertFalse(names.contains(true), "no adult template for a person not marked as an adult")
        let viewerTags = try await vic.send("POST", "/v1/images/img_w1/tags", json: ["tags": ["oak"]])
        XCTAssertEqual(viewerTags.status, 403, viewerTags.text)
        XCTAssertEqual(viewerTags.errorCode, "forbidden")

        let (_, rita) = try await browser.login("rita", "correct horse rita")
        let noToken = try await rita.send("POST", "/v1/images/img_w1/tags", json: ["tags": ["oak"]], csrf: false)
        XCTAssertEqual(noToken.status, 403)
        XCTAssertEqual(noToken.errorCode, "csrf_required")
        let promote = try await rita.send("POST", "/v1/experiments/any/promote", json: ["arm": "A"])
        XCTAssertEqual(promote.status, 403, "promoting an arm is an operator's: \(promote.text)")
        let versions = try await rita.send("GET", "/v1/images/img_w1/versions")
        XCTAssertEqual(versions.status, 200, versions.text)
        XCTAssertEqual(versions.json?["versions"]?[0]?["prompt"]?.string, "a secret prompt", "reviewers read prompts")
        let viewerVersions = try await vic.send("GET", "/v1/images/img_w1/versions")
        XCTAssertEqual(viewerVersions.json?["versions"]?[0]?["prompt"]?.string, "", "viewers do not")
        await h.stop()
    }
}
