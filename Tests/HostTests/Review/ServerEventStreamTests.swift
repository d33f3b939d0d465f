import Foundation
import XCTest
@testable import HTTPServer
@testable import Server

/// `GET /v1/events` held open: events arrive on the same connection as they happen, quiet
/// streams carry heartbeats, a reconnect with `Last-Event-ID` resumes, the number of streams is
/// bounded and a client that leaves gives its slot back. Raw sockets, read off the cooperative pool.
final class ServerEventStreamTests: XCTestCase {
    /// Runs blocking socket work on a Dispatch thread, not on one of the pool's two threads
    /// the server's handlers need.
    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global().async { c.resume(with: Result { try body() }) }
        }
    }

    private func openStream(_ h: ServerTestHarness, lastEventID: Int? = nil) async throws -> (HTTPServerTestClient, HTTPServerTestClient.Response) {
        let port = try XCTUnwrap(h.server.port)
        let headers = lastEventID.map { ["Last-Event-ID: \($0)"] } ?? []
        nonisolated(unsafe) let client = try HTTPServerTestClient(port: port, receiveTimeout: 30)
        let head = try await blocking { () -> HTTPServerTestClient.Response in
            client.send(rawRequest("GET", "/v1/events", headers: ["Accept: text/event-stream"] + headers))
            return try client.readResponse()
        }
        return (client, head)
    }

    func testHeldOpenStreamDeliversEventsAsTheyHappenAndResumes() async throws {
        let h = try await ServerTestHarness(label: "srv-stream", config: "{ imaging: { postProcessing: { automatic: false } } }")
        defer { Task { await h.stop() } }
        let (client, head) = try await openStream(h)
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.headers["content-type"]?.hasPrefix("text/event-stream") ?? false, "\(head.headers)")
        XCTAssertNil(head.headers["content-length"], "held open, not one batch")
        XCTAssertEqual(head.headers["cache-control"], "no-store")
        nonisolated(unsafe) let stream = client
        let opening = try await blocking { try stream.read(until: ": stream open\n\n") }
        XCTAssertTrue(opening.hasPrefix("retry: "), opening)

        let r = try await h.client.generate(["prompt": "a wooden chair", "parameters": ["width": 64, "height": 64],
                                             "category": "product", "wait": 30])
        XCTAssertEqual(r.status, 200, r.text)
        let image = try XCTUnwrap(r.json?["images"]?.array?.first?["image_id"]?.string, r.text)
        let untilFinished = try await blocking { try stream.read(until: "event: job.finished\n") + stream.read(until: "\n\n") }
        let seen = ServerEventsTests.parse(untilFinished)
        XCTAssertEqual(seen.first?.type, "job.queued", "\(seen.map(\.type))")
        XCTAssertTrue(seen.contains { $0.type == "image.stored" }, "\(seen.map(\.type))")
        XCTAssertFalse(untilFinished.contains("wooden chair"), "prompts never go into events")
        let finishedID = try XCTUnwrap(seen.last { $0.type == "job.finished" }?.id)

        // The same connection keeps delivering: a reservation made now arrives on it.
        let held = try await h.client.send("POST", "/v1/images/\(image)/reservation", json: ["channel": "instagram", "day": "2026-12-24"])
        XCTAssertEqual(held.status, 200, held.text)
        let reserved = ServerEventsTests.parse(try await blocking { try stream.read(until: "event: image.reserved\n") + stream.read(until: "\n\n") })
        XCTAssertEqual(reserved.last?.type, "image.reserved")
        XCTAssertEqual(reserved.last?.data?["data"]?["image_id"]?.string, image)

        // A second client resuming from job.finished gets what came after it, first of all the reservation.
        let (resumed, resumedHead) = try await openStream(h, lastEventID: finishedID)
        XCTAssertEqual(resumedHead.status, 200)
        nonisolated(unsafe) let again = resumed
        let replay = ServerEventsTests.parse(try await blocking { try again.read(until: "event: image.reserved\n") + again.read(until: "\n\n") })
        XCTAssertFalse(replay.contains { $0.type == "job.finished" || $0.type == "job.queued" }, "nothing from before its id: \(replay.map(\.type))")
        XCTAssertEqual(replay.last?.id, reserved.last?.id)
        stream.close()
        again.close()
        await h.stop()
    }

    func testQuietStreamsCarryHeartbeatsAndShutdownEndsThem() async throws {
        let h = try await ServerTestHarness(label: "srv-stream-beat")
        defer { Task { await h.stop() } }
        h.server.api.eventHeartbeatMilliseconds.store(100, ordering: .relaxed)
        let (client, _) = try await openStream(h)
        nonisolated(unsafe) let stream = client
        _ = try await blocking { try stream.read(until: ": stream open\n\n") }
        let beat = try await blocking { try stream.read(until: ": heartbeat\n\n") + stream.read(until: ": heartbeat\n\n") }
        XCTAssertFalse(beat.contains("event:"), "nothing happened, only heartbeats: \(beat)")
        async let stopped: Void = h.stop()
        let closed = try await blocking { stream.isClosedByServer() || (try? stream.read(until: "\u{0}")) == nil }  // try?: the read ends at the close, which is the point
        XCTAssertTrue(closed, "the stream ends when the server stops")
        await stopped
    }

    func testStreamsAreBoundedAndAClosedClientGivesItsSlotBack() async throws {
        // max_connections 4 → one event stream at a time.
        let h = try await ServerTestHarness(label: "srv-stream-cap", config: "{ server: { max_connections: 4 } }")
        defer { Task { await h.stop() } }
        XCTAssertEqual(h.server.api.eventStreams.limit, 1)
        let (first, head) = try await openStream(h)
        XCTAssertEqual(head.status, 200)
        nonisolated(unsafe) let stream = first
        _ = try await blocking { try stream.read(until: ": stream open\n\n") }

        let refused = try await h.client.get("/v1/events")
        XCTAssertEqual(refused.status, 503, refused.text)
        XCTAssertTrue(refused.text.contains("too_many_streams") && refused.text.contains("wait="), refused.text)
        XCTAssertNotNil(refused.headers["retry-after"])
        let batch = try await h.client.get("/v1/events?wait=0")
        XCTAssertEqual(batch.status, 200, "one batch at a time still works at the cap")
        let health = try await h.client.get("/healthz")
        XCTAssertEqual(health.status, 200, "streams leave connections for the API")

        first.close()
        try await h.eventually(10, "the slot is given back once the client left") { h.server.api.eventStreams.open == 0 }
        let (second, secondHead) = try await openStream(h)
        XCTAssertEqual(secondHead.status, 200, "a new stream is admitted")
        second.close()
        await h.stop()
    }
}
