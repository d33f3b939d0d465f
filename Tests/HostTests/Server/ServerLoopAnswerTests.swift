import Foundation
import ImagegenJSON
import XCTest
@testable import HTTPServer
@testable import Security
@testable import Server

/// `GET /v1/models` and `/healthz` answered on the HTTP server's socket thread: the same bytes as
/// the task route, the new plugin set after a reload, the same refusals, and an audit entry for
/// each call.
final class ServerLoopAnswerTests: XCTestCase {
    private func onLoop(_ h: ServerTestHarness) -> Int { h.server.httpStatistics.requestsAnsweredOnLoop }

    /// One request on its own connection (`Connection: close`), the raw answer without its Date
    /// line. The blocking client runs off the cooperative pool, which the server's tasks need.
    private func exchange(_ h: ServerTestHarness, _ path: String, headers: [String] = []) async throws -> String {
        let port = try XCTUnwrap(h.server.port)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let client = try HTTPServerTestClient(port: port)
                    client.send(rawRequest("GET", path, headers: headers + ["Connection: close"]))
                    let text = String(decoding: client.readToEnd(), as: UTF8.self)
                    return text.split(separator: "\r\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("Date: ") }
                        .joined(separator: "\r\n")
                })
            }
        }
    }

    /// Until the models list shows the loaded plugin: the harness sees the plugin file loaded a
    /// moment before the plugin set's version (which keys the encoded body) moves.
    /// Returns how many requests that took.
    @discardableResult
    private func servesPreview(_ h: ServerTestHarness, headers: [String] = []) async throws -> Int {
        var requests = 0
        try await h.eventually(10, "preview is listed") {
            requests += 1
            return try await exchange(h, "/v1/models", headers: headers).contains(#""plugin":"preview""#)
        }
        return requests
    }

    func testModelsFromTheLoopAreTheTaskRoutesBytes() async throws {
        let h = try await ServerTestHarness(label: "srv-loop-models")
        defer { Task { await h.stop() } }
        try await servesPreview(h)
        let before = onLoop(h)
        // Nothing encoded: the task route answers (and encodes the body).
        h.server.api.modelsCache.withLock { $0 = nil }
        let byTask = try await exchange(h, "/v1/models")
        XCTAssertEqual(onLoop(h), before)
        let fromLoop = try await exchange(h, "/v1/models")
        XCTAssertEqual(onLoop(h), before + 1, "the second call is answered on the socket thread")
        XCTAssertEqual(fromLoop, byTask)
        XCTAssertTrue(fromLoop.hasPrefix("HTTP/1.1 200 OK\r\n"), fromLoop)
        XCTAssertTrue(fromLoop.contains("\r\nContent-Security-Policy: "), fromLoop)
        XCTAssertTrue(fromLoop.contains(#""name":"preview""#), fromLoop)

        // Liveness too: answered in place.
        let health = try await exchange(h, "/healthz")
        XCTAssertEqual(onLoop(h), before + 2)
        XCTAssertTrue(health.hasSuffix(#"{"status":"ok"}"#), health)
        await h.stop()
    }

    func testAPluginReloadReachesTheLoopAnswer() async throws {
        let build = TestEnvironment.temporaryDirectory("srv-loop-build")
        let b = try TestHost.compilePreviewVariant(id: "preview-b", into: build)
        let h = try await ServerTestHarness(label: "srv-loop-reload", config: """
            { providers: { "preview-b": { priority: 5 } } }
            """)
        defer { Task { await h.stop() } }
        func candidates() async throws -> [String] {
            let text = try await exchange(h, "/v1/models")
            let body = try XCTUnwrap(text.range(of: "\r\n\r\n"), text).upperBound
            let models = try XCTUnwrap(JSONValue.parse(Array(text[body...].utf8))?["models"]?.array, text)
            let preview = models.first { $0["name"]?.string == "preview" }
            return preview?["candidates"]?.array?.compactMap { $0["plugin"]?.string } ?? []
        }
        try await servesPreview(h)
        let cachedAnswers = onLoop(h)
        let before = try await candidates()
        XCTAssertEqual(before, ["preview"])
        XCTAssertEqual(onLoop(h), cachedAnswers + 1)

        // The watcher loads it; the encoded body must not be served past that change.
        try ServerTestHarness.drop(b, as: "libpreview-b.so", into: h.host.paths.plugins)
        try await h.eventually(10, "preview-b becomes a candidate") { try await candidates() == ["preview-b", "preview"] }
        let afterReload = onLoop(h)
        let again = try await candidates()
        XCTAssertEqual(again, ["preview-b", "preview"])
        XCTAssertEqual(onLoop(h), afterReload + 1, "the new body is answered on the socket thread again")
        await h.stop()
    }

    func testRefusalsAndTheAuditEntryAreAsOnTheTaskRoute() async throws {
        let token = "loop-token-0123456789abcdef0123"
        let h = try await ServerTestHarness(label: "srv-loop-auth", token: token)
        defer { Task { await h.stop() } }
        // No token: refused by the server before any route.
        let refused = try await exchange(h, "/v1/models")
        XCTAssertTrue(refused.hasPrefix("HTTP/1.1 401 "), refused)
        XCTAssertTrue(refused.contains("\r\nWWW-Authenticate: Bearer realm=\"imagegen\"\r\n"), refused)
        // A session cookie gets past the server; an unknown one is checked (in the catalog, so by
        // the task route) and refused.
        let cookie = "Cookie: imagegen_session=" + String(repeating: "ab", count: 32)
        let unknownSession = try await exchange(h, "/v1/models", headers: [cookie])
        XCTAssertTrue(unknownSession.hasPrefix("HTTP/1.1 401 "), unknownSession)
        XCTAssertTrue(unknownSession.contains("sign in"), unknownSession)
        XCTAssertEqual(onLoop(h), 0)

        let authorization = "Authorization: Bearer \(token)"
        let polls = try await servesPreview(h, headers: [authorization])
        h.server.api.modelsCache.withLock { $0 = nil }
        let byTask = try await exchange(h, "/v1/models", headers: [authorization])
        let before = onLoop(h)
        let fromLoop = try await exchange(h, "/v1/models", headers: [authorization])
        XCTAssertEqual(onLoop(h), before + 1)
        XCTAssertEqual(fromLoop, byTask)
        await h.stop()

        // Every call is audited under its caller, the loop's answer included.
        let calls = try h.host.auditEntries().filter { $0.action == .apiCall && $0.subject == "GET /v1/models" }
        XCTAssertEqual(calls.map(\.principal).filter { $0 == "token:api" }.count, polls + 2, "\(calls.map(\.principal))")
        XCTAssertEqual(calls.last?.details["status"], "200")
        XCTAssertEqual(calls.filter { $0.details["status"] == "401" }.count, 1, "the refused session call, from the task route")
    }
}
