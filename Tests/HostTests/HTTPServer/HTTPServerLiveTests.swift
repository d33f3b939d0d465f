import Foundation
import Synchronization
import XCTest
@testable import Host
@testable import HTTPServer

/// Collects the server's operational log lines.
final class HTTPServerTestLog: Sendable {
    private let lines = Mutex<[String]>([])
    var handler: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
    var all: [String] { lines.withLock { $0 } }
}

private struct Thing: Codable, Equatable {
    var name: String
    var count: Int
}

/// The server over real sockets on 127.0.0.1 with an ephemeral port: keep-alive, pipelining,
/// slow clients, limits, routing, auth and graceful shutdown. Timeouts are configured small so
/// each test is quick; no test asserts a duration.
final class HTTPServerLiveTests: XCTestCase {
    private var servers: [HTTPServer] = []

    override func tearDown() {
        for server in servers { runBlocking { await server.stop(grace: .zero) } }
        servers.removeAll()
        super.tearDown()
    }

    private func startServer(
        _ configure: (inout HTTPServerConfiguration) throws -> Void = { _ in },
        handler: HTTPHandler? = nil
    ) throws -> HTTPServer {
        var configuration = HTTPServerConfiguration(listen: .loopback(port: 0))
        try configure(&configuration)
        let server = HTTPServer(configuration: configuration, handler: handler ?? Self.router().handler)
        try server.start()
        servers.append(server)
        return server
    }

    private func connect(_ server: HTTPServer) throws -> HTTPServerTestClient {
        try HTTPServerTestClient(port: try XCTUnwrap(server.port))
    }

    static func router() -> HTTPRouter {
        var router = HTTPRouter()
        router.get("/hello") { _ in .text("hello") }
        router.get("/peer") { request in .text(request.remoteAddress) }
        router.get("/slow") { _ in
            try? await Task.sleep(for: .milliseconds(200))
            return .text("slow")
        }
        router.get("/fast") { _ in .text("fast") }
        router.post("/echo") { request in
            HTTPResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: request.body)
        }
        router.post("/v1/things") { request in
            do throws(HTTPJSONBodyError) {
                return .json(try request.decodeJSON(Thing.self), status: .created)
            } catch {
                return error.response
            }
        }
        router.get("/v1/things/{id}") { request in
            .json(["id": request.pathParameter("id") ?? "", "tag": request.query("tag") ?? ""])
        }
        router.delete("/v1/things/{id}") { _ in .noContent }
        return router
    }

    // MARK: Persistence and ordering

    func testKeepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try startServer()
        let client = try connect(server)
        var peers = Set<String>()
        for _ in 0..<3 {
            client.send(rawRequest("GET", "/peer"))
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertNil(response.headers["connection"])
            XCTAssertNotNil(response.headers["date"])
            peers.insert(response.bodyText)
        }
        XCTAssertEqual(peers.count, 1, "all requests must arrive on the same connection")
        XCTAssertTrue(peers.first?.hasPrefix("127.0.0.1:") ?? false)
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let server = try startServer()
        let client = try connect(server)
        // The first is slow: a server that answered as handlers finish would send "fast" first.
        client.send(rawRequest("GET", "/slow") + rawRequest("GET", "/fast") + rawRequest("GET", "/hello"))
        let bodies = try (0..<3).map { _ in try client.readResponse().bodyText }
        XCTAssertEqual(bodies, ["slow", "fast", "hello"])
    }

    func testRequestArrivingWhileAHandlerRunsWaitsForItsTurn() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send(rawRequest("GET", "/slow"))
        XCTAssertFalse(client.isReadable(within: 50))
        client.send(rawRequest("GET", "/fast"))
        XCTAssertEqual(try client.readResponse().bodyText, "slow")
        XCTAssertEqual(try client.readResponse().bodyText, "fast")
        client.send(rawRequest("GET", "/hello"))
        XCTAssertEqual(try client.readResponse().bodyText, "hello")
    }

    func testHalfClosedClientStillGetsItsResponses() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send(rawRequest("GET", "/slow") + rawRequest("GET", "/fast"))
        shutdown(client.fd, Int32(SHUT_WR))
        XCTAssertEqual(try client.readResponse().bodyText, "slow")
        XCTAssertEqual(try client.readResponse().bodyText, "fast")
        XCTAssertTrue(client.isClosedByServer())
    }

    func testConnectionClosesAfterTheRequestCap() throws {
        let server = try startServer { $0.limits.maxRequestsPerConnection = 3 }
        let client = try connect(server)
        for index in 1...3 {
            client.send(rawRequest("GET", "/hello"))
            let response = try client.readResponse()
            XCTAssertEqual(response.headers["connection"], index == 3 ? "close" : nil, "request \(index)")
        }
        XCTAssertTrue(client.isClosedByServer())
    }

    func testHTTP10KeepAliveIsConfirmed() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try client.readResponse().headers["connection"], "keep-alive")
        client.send("GET /fast HTTP/1.0\r\n\r\n")
        let last = try client.readResponse()
        XCTAssertEqual(last.bodyText, "fast")
        XCTAssertEqual(last.headers["connection"], "close")
        XCTAssertTrue(client.isClosedByServer())
    }

    func testConnectionCloseIsHonoured() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send(rawRequest("GET", "/hello", headers: ["Connection: close"]) + rawRequest("GET", "/fast"))
        let response = try client.readResponse()
        XCTAssertEqual(response.headers["connection"], "close")
        XCTAssertTrue(client.isClosedByServer(), "no second response after Connection: close")
    }

    func testHeadAnswersWithoutABody() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send(rawRequest("HEAD", "/hello"))
        let head = try client.readResponse(toHead: true)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["content-length"], "5")
        // Had the body been sent, it would be read here as the next status line.
        client.send(rawRequest("GET", "/fast"))
        XCTAssertEqual(try client.readResponse().bodyText, "fast")
    }

    func testIdleKeepAliveConnectionIsClosedSilently() throws {
        let server = try startServer { $0.timeouts.idleKeepAlive = .milliseconds(200) }
        let client = try connect(server)
        client.send(rawRequest("GET", "/hello"))
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertTrue(client.isClosedByServer())
    }

    // MARK: Slow clients

    func testSlowlorisClientIsDisconnectedByTheHeaderTimeout() throws {
        let server = try startServer { $0.timeouts.headerRead = .milliseconds(300) }
        let client = try connect(server)
        let request = Array(rawRequest("GET", "/hello", headers: ["X-Padding: " + String(repeating: "p", count: 250)]).utf8)
        var sent = 0
        while sent < request.count {
            if client.isReadable(within: 20) { break } // the server answered or hung up
            guard client.send(bytes: [request[sent]]) else { break }
            sent += 1
        }
        XCTAssertLessThan(sent, request.count, "the server let a trickling client finish its request head")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 408)
        XCTAssertEqual(response.headers["connection"], "close")
        XCTAssertTrue(client.isClosedByServer())
    }

    func testSilentClientIsDisconnected() throws {
        let server = try startServer { $0.timeouts.headerRead = .milliseconds(200) }
        let client = try connect(server)
        XCTAssertTrue(client.isClosedByServer(), "a connection that never sends must be closed without a response")
    }

    func testSlowBodyIsTimedOut() throws {
        let server = try startServer { $0.timeouts.bodyReadGap = .milliseconds(200) }
        let client = try connect(server)
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 408)
        XCTAssertTrue(client.isClosedByServer())
    }

    // MARK: Bodies and limits

    func testContentLengthAndChunkedBodiesReachTheHandler() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send(rawRequest("POST", "/echo", body: "plain body"))
        XCTAssertEqual(try client.readResponse().bodyText, "plain body")
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nchunky\r\n5;x=y\r\n body\r\n0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().bodyText, "chunky body")
    }

    func testExpectContinueGetsAnInterimResponse() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 100)
        client.send("data")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "data")
    }

    func testOversizedBodyIs413WithoutContinue() throws {
        let server = try startServer { $0.limits.maxBodyBytes = 1024 }
        let client = try connect(server)
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4096\r\nExpect: 100-continue\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 413)
        XCTAssertEqual(response.errorCode, "body_too_large")
        XCTAssertTrue(client.isClosedByServer())
    }

    func testOversizedChunkedBodyIs413() throws {
        let server = try startServer { $0.limits.maxBodyBytes = 16 }
        let client = try connect(server)
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n1\r\nX\r\n0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 413)
        XCTAssertTrue(client.isClosedByServer())
    }

    func testOversizedHeadersAre431() throws {
        let server = try startServer { $0.limits.maxHeaderSectionBytes = 1024 }
        let client = try connect(server)
        client.send(rawRequest("GET", "/hello", headers: (1...40).map { "X-Filler-\($0): 0123456789012345678901234567890123456789" }))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 431)
        XCTAssertEqual(response.errorCode, "headers_too_large")
        XCTAssertTrue(client.isClosedByServer())
    }

    func testTooManyHeadersAre431() throws {
        let server = try startServer { $0.limits.maxHeaderCount = 8 }
        let client = try connect(server)
        client.send(rawRequest("GET", "/hello", headers: (1...9).map { "X-\($0): v" }))
        XCTAssertEqual(try client.readResponse().status, 431)
    }

    func testSmugglingShapeIsRefusedAndNothingElseIsAnswered() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                    + "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.headers["connection"], "close")
        XCTAssertEqual(client.readToEnd(), [], "the smuggled request must not be answered")
    }

    func testMalformedRequestLineIs400() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(response.errorCode, "bad_request")
        XCTAssertTrue(client.isClosedByServer())
    }

    func testObsFoldAndMissingHostAre400() throws {
        let server = try startServer()
        let folded = try connect(server)
        folded.send("GET /hello HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n")
        XCTAssertEqual(try folded.readResponse().status, 400)
        let hostless = try connect(server)
        hostless.send("GET /hello HTTP/1.1\r\nAccept: */*\r\n\r\n")
        XCTAssertEqual(try hostless.readResponse().status, 400)
    }

    func testUnknownMethodIs501AndNewMajorVersionIs505() throws {
        let server = try startServer()
        let unknown = try connect(server)
        unknown.send("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(try unknown.readResponse().status, 501)
        let future = try connect(server)
        future.send("GET / HTTP/3.0\r\nHost: a\r\n\r\n")
        XCTAssertEqual(try future.readResponse().status, 505)
    }

    // MARK: Routing and JSON

    func testUnknownRouteIs404InTheErrorShape() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send(rawRequest("GET", "/nowhere"))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(response.headers["content-type"], "application/json")
        XCTAssertEqual(response.errorCode, "not_found")
    }

    func testWrongMethodIs405WithAllow() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send(rawRequest("PUT", "/v1/things/7", body: "{}"))
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.headers["allow"], "DELETE, GET, HEAD")
        XCTAssertEqual(response.errorCode, "method_not_allowed")
    }

    func testPathParametersAndQueryReachTheHandler() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send(rawRequest("GET", "/v1/things/a%20b?tag=x+y%2Bz"))
        let decoded = try JSONDecoder().decode([String: String].self, from: Data(try client.readResponse().body))
        XCTAssertEqual(decoded, ["id": "a b", "tag": "x y+z"])
    }

    func testInvalidJSONIs400AndValidJSONIsAccepted() throws {
        let server = try startServer()
        let client = try connect(server)
        client.send(rawRequest("POST", "/v1/things", headers: ["Content-Type: application/json"], body: "{\"name\": \"a\", "))
        let invalid = try client.readResponse()
        XCTAssertEqual(invalid.status, 400)
        XCTAssertEqual(invalid.errorCode, "invalid_json")
        client.send(rawRequest("POST", "/v1/things", headers: ["Content-Type: application/json"], body: "{\"name\": \"a\"}"))
        let missingField = try client.readResponse()
        XCTAssertEqual(missingField.status, 400)
        XCTAssertTrue(missingField.bodyText.contains("count"), missingField.bodyText)
        client.send(rawRequest("POST", "/v1/things", headers: ["Content-Type: text/plain"], body: "{}"))
        XCTAssertEqual(try client.readResponse().status, 415)
        client.send(rawRequest("POST", "/v1/things", headers: ["Content-Type: application/json; charset=utf-8"],
                               body: "{\"name\": \"a\", \"count\": 2}"))
        let created = try client.readResponse()
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(try JSONDecoder().decode(Thing.self, from: Data(created.body)), Thing(name: "a", count: 2))
    }

    // MARK: Connection cap

    func testAnIdleConnectionAtTheCapMakesRoomForANewClient() throws {
        let server = try startServer { $0.maxConnections = 1 }
        let first = try connect(server)
        first.send(rawRequest("GET", "/hello"))
        XCTAssertEqual(try first.readResponse().status, 200)
        // The first connection is idle (keep-alive, no request in progress): it is closed to
        // admit the second rather than holding it in the backlog until the idle timeout.
        let second = try connect(server)
        second.send(rawRequest("GET", "/fast"))
        XCTAssertEqual(try second.readResponse().bodyText, "fast")
        XCTAssertTrue(first.isClosedByServer())
    }

    // MARK: IPv6

    func testServesIPv6Loopback() throws {
        let server = HTTPServer(configuration: .init(listen: try HTTPListenAddress(parsing: "[::1]:0")), router: Self.router())
        do {
            try server.start()
        } catch {
            if case .socketFailed(_, _, let code) = error, code == EADDRNOTAVAIL || code == EAFNOSUPPORT {
                throw XCTSkip("no IPv6 loopback in this environment")
            }
            throw error
        }
        servers.append(server)
        let client = try HTTPServerTestClient(port: try XCTUnwrap(server.port), ipv6: true)
        client.send(rawRequest("GET", "/peer"))
        XCTAssertTrue(try client.readResponse().bodyText.hasPrefix("[::1]:"))
    }

    // MARK: Authentication

    private static let token = "test-token-0123456789abcdef"

    func testRequiredTokenIsEnforcedBeforeHandlers() throws {
        let server = try startServer {
            $0.token = try BearerToken(Self.token)
            $0.requireToken = true
        }
        let client = try connect(server)
        client.send(rawRequest("GET", "/hello"))
        let missing = try client.readResponse()
        XCTAssertEqual(missing.status, 401)
        XCTAssertEqual(missing.errorCode, "unauthorized")
        XCTAssertEqual(missing.headers["www-authenticate"], "Bearer realm=\"imagegen\"")
        XCTAssertFalse(missing.bodyText.contains(Self.token))

        client.send(rawRequest("GET", "/hello", headers: ["Authorization: Bearer wrong-token-0123456789abcdef"]))
        XCTAssertEqual(try client.readResponse().status, 401)
        client.send(rawRequest("GET", "/hello", headers: ["Authorization: Bearer \(Self.token)x"]))
        XCTAssertEqual(try client.readResponse().status, 401)
        client.send(rawRequest("GET", "/hello", headers: ["Authorization: Basic \(Self.token)"]))
        XCTAssertEqual(try client.readResponse().status, 401)

        client.send(rawRequest("GET", "/hello", headers: ["Authorization: Bearer \(Self.token)"]))
        let allowed = try client.readResponse()
        XCTAssertEqual(allowed.status, 200)
        XCTAssertEqual(allowed.bodyText, "hello")
    }

    func testUnauthenticatedBodyIsNeverReadAndClosesTheConnection() throws {
        let server = try startServer {
            $0.token = try BearerToken(Self.token)
            $0.requireToken = true
        }
        let client = try connect(server)
        client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 401, "401 must come instead of 100 Continue")
        XCTAssertEqual(response.headers["connection"], "close")
        XCTAssertTrue(client.isClosedByServer())
    }

    // MARK: Graceful shutdown

    func testStopLetsAnInFlightRequestFinish() throws {
        let started = DispatchSemaphore(value: 0)
        let server = try startServer(handler: { _ in
            started.signal()
            try? await Task.sleep(for: .milliseconds(300))
            return .text("finished")
        })
        let port = try XCTUnwrap(server.port)
        let client = try connect(server)
        client.send(rawRequest("GET", "/work"))
        XCTAssertEqual(started.wait(timeout: .now() + 5), .success)

        let stopped = DispatchSemaphore(value: 0)
        Task.detached {
            await server.stop(grace: .seconds(5))
            stopped.signal()
        }
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "finished")
        XCTAssertEqual(response.headers["connection"], "close")
        XCTAssertTrue(client.isClosedByServer())
        XCTAssertEqual(stopped.wait(timeout: .now() + 10), .success)
        XCTAssertThrowsError(try HTTPServerTestClient(port: port), "the listener must be closed after stop()")
    }

    func testStopForceClosesAndCancelsHandlersAfterTheGracePeriod() throws {
        let started = DispatchSemaphore(value: 0)
        let ended = DispatchSemaphore(value: 0)
        let wasCancelled = Mutex(false)
        let server = try startServer(handler: { _ in
            started.signal()
            try? await Task.sleep(for: .seconds(30))
            wasCancelled.withLock { $0 = Task.isCancelled }
            ended.signal()
            return .text("too late")
        })
        let client = try connect(server)
        client.send(rawRequest("GET", "/work"))
        XCTAssertEqual(started.wait(timeout: .now() + 5), .success)
        runBlocking { await server.stop(grace: .milliseconds(200)) }
        XCTAssertEqual(client.readToEnd(), [], "a request cut off by the grace period gets no response")
        XCTAssertEqual(ended.wait(timeout: .now() + 10), .success)
        XCTAssertTrue(wasCancelled.withLock { $0 })
    }

    func testStopClosesIdleConnectionsWithoutWaitingForTheGracePeriod() throws {
        let log = HTTPServerTestLog()
        let server = try startServer { $0.log = log.handler }
        let idle = try connect(server)
        idle.send(rawRequest("GET", "/hello"))
        XCTAssertEqual(try idle.readResponse().status, 200)
        runBlocking { await server.stop(grace: .seconds(20)) }
        XCTAssertTrue(idle.isClosedByServer())
        XCTAssertFalse(log.all.contains { $0.contains("grace period over") }, "\(log.all)")
    }

    func testStatisticsCountWhatHandlersNeverSee() throws {
        let server = try startServer {
            $0.token = try BearerToken(Self.token)
            $0.timeouts.headerRead = .milliseconds(500)
        }
        let ok = try connect(server)
        ok.send(rawRequest("GET", "/hello", headers: ["Authorization: Bearer \(Self.token)"]))
        XCTAssertEqual(try ok.readResponse().status, 200)
        ok.send(rawRequest("GET", "/hello"))
        XCTAssertEqual(try ok.readResponse().status, 401)
        let bad = try connect(server)
        bad.send("GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n")
        XCTAssertEqual(try bad.readResponse().status, 400)
        let slow = try connect(server)
        slow.send("GET /hello HTTP/1.1\r\n")
        XCTAssertEqual(try slow.readResponse().status, 408)
        XCTAssertTrue(slow.isClosedByServer())
        let statistics = server.statistics
        XCTAssertEqual(statistics.connectionsAccepted, 3)
        XCTAssertEqual(statistics.requestsHandled, 1)
        XCTAssertEqual(statistics.requestsUnauthorized, 1)
        XCTAssertEqual(statistics.requestsRejected, 1)
        XCTAssertEqual(statistics.timeouts, 1)
    }

    func testStartRefusesTwiceAndStopIsIdempotent() throws {
        let server = try startServer()
        XCTAssertThrowsError(try server.start()) { XCTAssertEqual($0 as? HTTPServerError, .alreadyStarted) }
        runBlocking { await server.stop() }
        runBlocking { await server.stop() }
        XCTAssertNil(server.port)
    }
}
