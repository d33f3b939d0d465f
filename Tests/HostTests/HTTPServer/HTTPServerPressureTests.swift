import Foundation
import Synchronization
import XCTest
@testable import Host
@testable import HTTPServer

/// Issue 16, connection pressure: holding the connection cap with idle keep-alive or slowloris
/// connections must not lock new clients (a health check above all) out until the header
/// timeout; one client address cannot take more than its share. Real sockets on 127.0.0.1, a
/// small cap; the header timeout is long so only reclaiming can let a new client in.
final class HTTPServerPressureTests: XCTestCase {
    private var servers: [HTTPServer] = []
    private static let cap = 16

    override func tearDown() {
        for server in servers { runBlocking { await server.stop(grace: .zero) } }
        servers.removeAll()
        super.tearDown()
    }

    /// Released by the test: requests to `/hold` stay in their handler until then (bounded).
    final class Gate: Sendable {
        private let open = Atomic<Bool>(false)
        func release() { open.store(true, ordering: .relaxed) }
        func wait() async {
            for _ in 0..<1000 where !open.load(ordering: .relaxed) {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    private func startServer(gate: Gate = Gate(), _ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
        var configuration = HTTPServerConfiguration(listen: .loopback(port: 0), maxConnections: Self.cap)
        configuration.timeouts.headerRead = .seconds(60)
        configuration.timeouts.idleKeepAlive = .seconds(60)
        configure(&configuration)
        var router = HTTPRouter()
        router.get("/healthz") { _ in .text("ok") }
        router.get("/hold") { _ in
            await gate.wait()
            return .text("held")
        }
        let server = HTTPServer(configuration: configuration, handler: router.handler)
        try server.start()
        servers.append(server)
        return server
    }

    private func connect(_ server: HTTPServer) throws -> HTTPServerTestClient {
        try HTTPServerTestClient(port: try XCTUnwrap(server.port))
    }

    func testHealthzAnswersWhileIdleKeepAliveConnectionsHoldTheCap() throws {
        let server = try startServer()
        var idle: [HTTPServerTestClient] = []
        for _ in 0..<Self.cap {
            let client = try connect(server)
            client.send(rawRequest("GET", "/healthz"))
            XCTAssertEqual(try client.readResponse().status, 200)
            idle.append(client)
        }
        let newcomer = try connect(server)
        newcomer.send(rawRequest("GET", "/healthz"))
        XCTAssertEqual(try newcomer.readResponse().bodyText, "ok")
        // The oldest idle connection made room; the next oldest is still served.
        XCTAssertTrue(idle[0].isClosedByServer(), "the oldest idle connection is closed first")
        idle[1].send(rawRequest("GET", "/healthz"))
        XCTAssertEqual(try idle[1].readResponse().status, 200)
        XCTAssertGreaterThanOrEqual(server.statistics.connectionsReclaimed, 1)
    }

    func testHealthzAnswersWhileSlowlorisConnectionsHoldTheCap() throws {
        let server = try startServer()
        var slow: [HTTPServerTestClient] = []
        for _ in 0..<Self.cap {
            let client = try connect(server)
            client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ") // never finished
            slow.append(client)
        }
        for round in 0..<3 {
            let newcomer = try connect(server)
            newcomer.send(rawRequest("GET", "/healthz"))
            XCTAssertEqual(try newcomer.readResponse().bodyText, "ok", "round \(round)")
        }
        XCTAssertTrue(slow[0].isClosedByServer(), "the oldest half-sent request is closed first")
    }

    func testConnectionsWithRequestsInProgressAreNeverClosedToAdmitOthers() throws {
        let gate = Gate()
        let server = try startServer(gate: gate) { $0.maxConnections = 2 }
        let busy = try (0..<2).map { _ in try connect(server) }
        for client in busy { client.send(rawRequest("GET", "/hold")) }
        // Both handlers run (the server accepted and dispatched them) before the third arrives.
        let deadline = Date().addingTimeInterval(10)
        while server.statistics.requestsHandled < 2 && Date() < deadline { usleep(5_000) }
        let waiting = try connect(server) // completes in the kernel backlog
        waiting.send(rawRequest("GET", "/healthz"))
        XCTAssertFalse(waiting.isReadable(within: 300), "no connection may be dropped mid-request to admit another")
        gate.release()
        for client in busy { XCTAssertEqual(try client.readResponse().bodyText, "held") }
        XCTAssertEqual(try waiting.readResponse().bodyText, "ok")
    }

    func testOneAddressCannotHoldMoreThanItsShare() throws {
        let gate = Gate()
        let server = try startServer(gate: gate) { $0.maxConnectionsPerAddress = 3 }
        // Idle connections of the same address are reclaimed for its newer ones, oldest first.
        var idle: [HTTPServerTestClient] = []
        for _ in 0..<3 { idle.append(try connect(server)) }
        idle[0].send(rawRequest("GET", "/healthz"))
        XCTAssertEqual(try idle[0].readResponse().status, 200)
        let fourth = try connect(server)
        fourth.send(rawRequest("GET", "/healthz"))
        XCTAssertEqual(try fourth.readResponse().status, 200)
        XCTAssertTrue(idle[0].isClosedByServer(), "the address's oldest idle connection made room")
        // With every connection of the address busy, a further one is refused, not queued.
        let busy = [idle[1], idle[2], fourth]
        for client in busy { client.send(rawRequest("GET", "/hold")) }
        let deadline = Date().addingTimeInterval(10)
        while server.statistics.requestsHandled < 5 && Date() < deadline { usleep(5_000) }
        let refused = try connect(server)
        refused.send(rawRequest("GET", "/healthz"))
        XCTAssertTrue(refused.isClosedByServer(), "over the per-address limit with nothing to reclaim")
        gate.release()
        for client in busy { XCTAssertEqual(try client.readResponse().bodyText, "held") }
    }
}
