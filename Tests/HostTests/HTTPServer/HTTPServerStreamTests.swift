import Foundation
import Glibc
import Synchronization
import XCTest
@testable import HTTPServer

/// Streamed bodies (`HTTPBodyStream`): sent as they are written, closed with the connection,
/// the producer cancelled when the client leaves, a slow reader cut off at the buffer limit.
final class HTTPServerStreamTests: XCTestCase {
    private var servers: [HTTPServer] = []

    override func tearDown() {
        for server in servers { runBlocking { await server.stop(grace: .zero) } }
        servers.removeAll()
        super.tearDown()
    }

    /// What a producer did, for the test to look at from its own thread.
    final class Probe: Sendable {
        let gate = Mutex(false)
        let ended = Mutex(false)
        let cancelled = Mutex(false)
        let writes = Mutex<[Bool]>([])
        let maxPending = Mutex(0)
    }

    private func start(_ limits: (inout HTTPServerLimits) -> Void = { _ in }, maxConnections: Int = 512, stream: @escaping @Sendable (HTTPStreamWriter) async -> Void) throws -> HTTPServer {
        var configuration = HTTPServerConfiguration(listen: .loopback(port: 0))
        limits(&configuration.limits)
        configuration.maxConnections = maxConnections
        var router = HTTPRouter()
        router.get("/stream") { _ in HTTPResponse(status: .ok, headers: ["Content-Type": "text/event-stream"], stream: HTTPBodyStream(stream)) }
        router.get("/plain") { _ in .text("plain") }
        let server = HTTPServer(configuration: configuration, handler: router.handler)
        try server.start()
        servers.append(server)
        return server
    }

    private static func waitFor(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    func testStreamedBodyArrivesAsWrittenAndEndsWithTheConnection() throws {
        let probe = Probe()
        let server = try start { writer in
            writer.write("first\n")
            while !probe.gate.withLock({ $0 }) && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }  // try?: cancelled ends the wait either way
            writer.write("second\n")
        }
        let client = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        client.send(rawRequest("GET", "/stream"))
        let head = try client.readResponse()
        XCTAssertEqual(head.status, 200)
        XCTAssertNil(head.headers["content-length"], "a stream has no length")
        XCTAssertEqual(head.headers["connection"], "close")
        XCTAssertEqual(head.headers["x-content-type-options"], "nosniff", "the security headers go with streams too")
        XCTAssertEqual(try client.read(until: "first\n"), "first\n", "the first write arrives before the producer is done")
        probe.gate.withLock { $0 = true }
        XCTAssertEqual(try client.read(until: "second\n"), "second\n")
        XCTAssertTrue(client.isClosedByServer(), "the body ends with the connection")

        // The server carries on: a plain request on a new connection.
        let other = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        other.send(rawRequest("GET", "/plain"))
        XCTAssertEqual(try other.readResponse().bodyText, "plain")
    }

    func testAClientThatLeavesCancelsTheProducerAndFreesItsConnection() throws {
        let probe = Probe()
        // One connection at most: the next client is served only once the stream's is released.
        let server = try start(maxConnections: 1) { writer in
            writer.write("open\n")
            while writer.isOpen && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }  // try?: cancellation is what this waits for
            probe.cancelled.withLock { $0 = Task.isCancelled }
            probe.ended.withLock { $0 = true }
        }
        let client = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        client.send(rawRequest("GET", "/stream"))
        _ = try client.readResponse()
        _ = try client.read(until: "open\n")
        let next = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        next.send(rawRequest("GET", "/plain"))
        XCTAssertFalse(next.isReadable(within: 200), "the stream holds the only connection")
        client.close()
        XCTAssertTrue(Self.waitFor { probe.ended.withLock { $0 } }, "the producer returned once the client left")
        XCTAssertTrue(probe.cancelled.withLock { $0 }, "it was cancelled, not left running")
        XCTAssertEqual(try next.readResponse().bodyText, "plain", "the connection was released for the next client")
    }

    func testAReaderThatFallsBehindIsCutOffAtTheBufferLimit() throws {
        let probe = Probe()
        let limit = 64 * 1024
        let server = try start({ $0.maxStreamBufferBytes = limit }) { writer in
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 16 * 1024)
            // Loopback socket buffers hold a few MiB; 64 MiB can never all be taken by a reader that reads nothing.
            for _ in 0..<4096 {
                let ok = writer.write(chunk)
                probe.maxPending.withLock { $0 = max($0, writer.pendingBytes) }
                probe.writes.withLock { $0.append(ok) }
                if !ok { break }
            }
            probe.ended.withLock { $0 = true }
        }
        let client = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        var small: Int32 = 4096
        setsockopt(client.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        client.send(rawRequest("GET", "/stream"))
        XCTAssertTrue(Self.waitFor(30) { probe.ended.withLock { $0 } }, "the producer stopped")
        let writes = probe.writes.withLock { $0 }
        XCTAssertEqual(writes.last, false, "the stream was ended for the slow reader after \(writes.count) writes")
        XCTAssertLessThanOrEqual(probe.maxPending.withLock { $0 }, limit, "never more than the limit held for it")
        XCTAssertTrue(Self.waitFor { server.statistics.connectionsOpen == 0 }, "its connection is closed")
    }

    func testHeadOfAStreamSendsTheHeadAndStillRunsTheProducer() throws {
        let probe = Probe()
        let server = try start { writer in
            probe.writes.withLock { $0.append(writer.write("never\n")) }
            probe.ended.withLock { $0 = true }
        }
        let client = try HTTPServerTestClient(port: try XCTUnwrap(server.port))
        client.send(rawRequest("HEAD", "/stream"))
        XCTAssertEqual(try client.readResponse(toHead: true).status, 200)
        XCTAssertTrue(Self.waitFor { probe.ended.withLock { $0 } }, "the producer ran, so it could release what it holds")
        XCTAssertEqual(probe.writes.withLock { $0 }, [false], "with nothing to write to")
        XCTAssertTrue(client.isClosedByServer())
    }
}
