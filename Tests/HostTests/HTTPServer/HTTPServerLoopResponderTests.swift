import Foundation
import Synchronization
import XCTest
@testable import Host
@testable import HTTPServer

/// Routes answered on the socket thread (`HTTPLoopResponder`): the handler task does not run,
/// the answer is the one the handler would give, a declined answer falls back to the handler,
/// and ordering, HEAD and the token check stay as for every other route.
final class HTTPServerLoopResponderTests: XCTestCase {
    /// Counts what ran, and whether the loop answer is ready.
    private final class Probe: Sendable {
        let handlerRuns = Atomic<Int>(0)
        let loopCalls = Atomic<Int>(0)
        let ready = Atomic<Bool>(true)
        let tokenNames = Mutex<[String?]>([])
    }

    private var servers: [HTTPServer] = []

    override func tearDown() {
        for server in servers { runBlocking { await server.stop(grace: .zero) } }
        servers.removeAll()
        super.tearDown()
    }

    private static func answer() -> HTTPResponse {
        var response = HTTPResponse.json(bytes: Array(#"{"cached":true}"#.utf8))
        response.headers["ETag"] = "\"v1\""
        return response
    }

    private func startServer(_ probe: Probe, token: BearerToken? = nil) throws -> HTTPServer {
        var router = HTTPRouter()
        router.add(.get, "/cached", onLoop: { request in
            probe.loopCalls.add(1, ordering: .relaxed)
            probe.tokenNames.withLock { $0.append(request.bearerTokenName) }
            return probe.ready.load(ordering: .relaxed) ? Self.answer() : nil
        }) { _ in
            probe.handlerRuns.add(1, ordering: .relaxed)
            return Self.answer()
        }
        router.get("/slow") { _ in
            try? await Task.sleep(for: .milliseconds(100))  // try?: a cancelled sleep only shortens the wait
            return .text("slow")
        }
        router.post("/cached") { _ in .text("posted") }
        var configuration = HTTPServerConfiguration(listen: .loopback(port: 0))
        configuration.token = token
        let server = HTTPServer(configuration: configuration, router: router)
        try server.start()
        servers.append(server)
        return server
    }

    func testALoopAnswerIsSentWithoutRunningTheHandler() throws {
        let probe = Probe()
        let server = try startServer(probe)
        let client = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        client.send(rawRequest("GET", "/cached"))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, #"{"cached":true}"#)
        XCTAssertEqual(response.headers["etag"], "\"v1\"")
        XCTAssertEqual(response.headers["x-content-type-options"], "nosniff", "the security headers as on every answer")
        XCTAssertEqual(probe.handlerRuns.load(ordering: .relaxed), 0)
        XCTAssertEqual(probe.loopCalls.load(ordering: .relaxed), 1)
        XCTAssertEqual(server.statistics.requestsAnsweredOnLoop, 1)
        XCTAssertEqual(server.statistics.requestsHandled, 1)
        // The connection stays usable for the next request.
        client.send(rawRequest("GET", "/cached"))
        XCTAssertEqual(try client.readResponse().bodyText, #"{"cached":true}"#)
        XCTAssertEqual(server.statistics.requestsAnsweredOnLoop, 2)
    }

    func testTheLoopAnswerIsByteForByteTheHandlerAnswer() throws {
        let probe = Probe()
        let server = try startServer(probe)
        let port = try XCTUnwrap(server.port)
        func exchange() throws -> String {
            let client = try HTTPServerTestClient(port: port)
            client.send(rawRequest("GET", "/cached", headers: ["Connection: close"]))
            let text = String(decoding: client.readToEnd(), as: UTF8.self)
            return text.split(separator: "\r\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("Date: ") }.joined(separator: "\r\n")
        }
        probe.ready.store(false, ordering: .relaxed)
        let byHandler = try exchange()
        XCTAssertEqual(probe.handlerRuns.load(ordering: .relaxed), 1, "a declined loop answer goes to the handler")
        XCTAssertEqual(server.statistics.requestsAnsweredOnLoop, 0)
        probe.ready.store(true, ordering: .relaxed)
        let onLoop = try exchange()
        XCTAssertEqual(probe.handlerRuns.load(ordering: .relaxed), 1)
        XCTAssertEqual(server.statistics.requestsAnsweredOnLoop, 1)
        XCTAssertEqual(onLoop, byHandler)
        XCTAssertTrue(onLoop.hasPrefix("HTTP/1.1 200 OK\r\n"), onLoop)
    }

    func testHeadIsAnsweredOnTheLoopWithoutABodyAndOtherMethodsAreNot() throws {
        let probe = Probe()
        let server = try startServer(probe)
        let client = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        client.send(rawRequest("HEAD", "/cached"))
        let head = try client.readResponse(toHead: true)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["content-length"], String(#"{"cached":true}"#.utf8.count))
        XCTAssertEqual(server.statistics.requestsAnsweredOnLoop, 1)
        client.send(rawRequest("POST", "/cached", body: "x"))
        XCTAssertEqual(try client.readResponse().bodyText, "posted")
        XCTAssertEqual(server.statistics.requestsAnsweredOnLoop, 1)
        XCTAssertEqual(probe.loopCalls.load(ordering: .relaxed), 1, "a POST never reaches a loop answer")
    }

    func testPipelinedLoopAndHandlerAnswersKeepTheirOrder() throws {
        let probe = Probe()
        let server = try startServer(probe)
        let client = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        // A loop answer queued behind a slow handler must not overtake it.
        client.send(rawRequest("GET", "/slow") + rawRequest("GET", "/cached") + rawRequest("GET", "/slow") + rawRequest("GET", "/cached"))
        let bodies = try (0..<4).map { _ in try client.readResponse().bodyText }
        XCTAssertEqual(bodies, ["slow", #"{"cached":true}"#, "slow", #"{"cached":true}"#])
        XCTAssertEqual(server.statistics.requestsAnsweredOnLoop, 2)
    }

    func testTheTokenIsCheckedBeforeALoopAnswer() throws {
        let probe = Probe()
        let token = try BearerToken("loop-test-token-0123456789abcdef")
        let server = try startServer(probe, token: token)
        let client = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        client.send(rawRequest("GET", "/cached"))
        let refused = try client.readResponse()
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.headers["www-authenticate"], "Bearer realm=\"imagegen\"")
        XCTAssertEqual(probe.loopCalls.load(ordering: .relaxed), 0)
        let again = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        again.send(rawRequest("GET", "/cached", headers: ["Authorization: Bearer loop-test-token-0123456789abcdef"]))
        XCTAssertEqual(try again.readResponse().status, 200)
        XCTAssertEqual(probe.tokenNames.withLock { $0 }, [BearerTokenAuth.defaultName], "the loop answer sees who called")
        XCTAssertEqual(server.statistics.requestsAnsweredOnLoop, 1)
    }
}
