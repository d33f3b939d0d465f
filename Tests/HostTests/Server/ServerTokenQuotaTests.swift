import Foundation
import ImagegenJSON
import XCTest
@testable import HTTPServer
@testable import ImagegenConfig
@testable import Security
@testable import Server

/// Named API tokens over the real server: each request is attributed to the configured *name*
/// of the token it presented, so `quotas.api_tokens.<name>` and the audit log follow the holder,
/// and the token's value appears nowhere.
final class ServerTokenQuotaTests: XCTestCase {
    let analyticsToken = "analytics-token-0123456789abcdef"
    let batchToken = "batch-token-fedcba9876543210"

    func testEachTokenIsCountedAndAuditedUnderItsConfiguredName() async throws {
        let h = try await ServerTestHarness(
            label: "srv-token-quota",
            config: """
                { server: { token_envs: { analytics: "TEST_TOKEN_ANALYTICS", batch: "TEST_TOKEN_BATCH" } },
                  quotas: { api_tokens: { analytics: { images_per_day: 2 } } } }
                """,
            environment: ["TEST_TOKEN_ANALYTICS": analyticsToken, "TEST_TOKEN_BATCH": batchToken])
        defer { Task { await h.stop() } }
        var analytics = h.client
        analytics.token = analyticsToken
        var batch = h.client
        batch.token = batchToken
        let request: [String: JSONValue] = ["prompt": "a fig", "parameters": ["width": 64, "height": 64], "wait": 30]

        for _ in 0..<2 {
            let accepted = try await analytics.generate(request)
            XCTAssertEqual(accepted.status, 200, accepted.text)
        }
        let refused = try await analytics.generate(request)
        XCTAssertEqual(refused.status, 429, refused.text)
        XCTAssertEqual(refused.errorCode, "quota_exceeded")
        XCTAssertTrue(refused.text.contains("API token 'analytics' allows 2 images per day"), refused.text)
        XCTAssertNotNil(refused.headers["retry-after"])
        // The other token has no quota of its own: it still works.
        for _ in 0..<3 {
            let other = try await batch.generate(request)
            XCTAssertEqual(other.status, 200, other.text)
        }
        // Without a token, or with a wrong one, nothing is accepted.
        var anonymous = h.client
        anonymous.token = nil
        let unauthorized = try await anonymous.get("/v1/models")
        XCTAssertEqual(unauthorized.status, 401)
        await h.stop()

        let entries = try h.host.auditEntries()
        let refusal = try XCTUnwrap(entries.last { $0.action == .quotaRefusal })
        XCTAssertEqual(refusal.principal, "token:analytics")
        XCTAssertEqual(refusal.subject, "token:analytics")
        let principals = Set(entries.filter { $0.action == .apiCall }.map(\.principal))
        XCTAssertTrue(principals.isSuperset(of: ["token:analytics", "token:batch"]), "\(principals)")
        XCTAssertFalse(principals.contains("token:api"), "\(principals)")
        let log = try String(contentsOfFile: h.host.auditLogPath, encoding: .utf8)
        for secret in [analyticsToken, batchToken] {
            XCTAssertFalse(log.contains(secret), "a token's value reached the audit log")
        }
        XCTAssertTrue(log.contains("token:analytics"))
    }

    func testNamedTokensAreValidatedWithoutEchoingSecrets() throws {
        func settings(_ server: String, _ environment: [String: String]) throws -> ServerSettings {
            let configuration = try Configuration.parse(Data("{ server: \(server) }".utf8), file: "test.json5")
            return try ServerSettings(configuration: configuration, listen: "127.0.0.1:0", environment: environment)
        }
        let both = try settings("{ token_envs: { batch: \"B\" } }", ["IMAGEGEN_API_TOKEN": analyticsToken, "B": batchToken])
        XCTAssertEqual(Set(both.tokens.keys), ["api", "batch"])
        XCTAssertThrowsError(try settings("{ token_envs: { batch: \"B\" } }", [:])) {
            XCTAssertEqual($0 as? ServerSettingsError, .namedTokenVariableUnset("B", name: "batch"))
        }
        XCTAssertThrowsError(try settings("{ token_envs: { a: \"A\", b: \"B\" } }", ["A": batchToken, "B": batchToken])) {
            XCTAssertEqual($0 as? ServerSettingsError, .sharedToken(names: ["a", "b"]))
        }
        // A token pasted where a variable name belongs is refused, and not repeated back.
        XCTAssertThrowsError(try settings("{ token_envs: { a: \"\(analyticsToken)\" } }", [:])) {
            XCTAssertFalse("\($0)".contains(self.analyticsToken), "\($0)")
        }
    }
}
