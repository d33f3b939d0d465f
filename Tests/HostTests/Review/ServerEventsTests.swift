import Foundation
import Synchronization
import ImagegenJSON
import XCTest
@testable import HTTPServer
@testable import ImagegenConfig
@testable import Operations
@testable import Security
@testable import Server

/// Events of jobs and images: the SSE endpoint a browser's `EventSource` reads, and the signed,
/// retried, durable webhooks. Everything on 127.0.0.1; no timing is asserted.
final class ServerEventsTests: XCTestCase {
    /// The SSE events of a body: (id, type, data).
    static func parse(_ text: String) -> [(id: Int?, type: String, data: JSONValue?)] {
        var out: [(id: Int?, type: String, data: JSONValue?)] = []
        for block in text.components(separatedBy: "\n\n") {
            var id: Int?
            var type: String?
            var data: JSONValue?
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = Int(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { type = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = JSONValue.parse(Array(line.dropFirst(6).utf8)) }
            }
            if let type { out.append((id, type, data)) }
        }
        return out
    }

    func testEventStreamCarriesJobAndImageEventsAndResumesFromLastEventID() async throws {
        let h = try await ServerTestHarness(label: "srv-events", config: "{ imaging: { postProcessing: { automatic: false } } }")
        defer { Task { await h.stop() } }
        let start = try await h.client.get("/v1/events?wait=0")
        XCTAssertEqual(start.status, 200, start.text)
        XCTAssertTrue(start.headers["content-type"]?.hasPrefix("text/event-stream") ?? false, "\(start.headers)")
        XCTAssertTrue(start.text.hasPrefix("retry: "), start.text)
        XCTAssertEqual(start.headers["x-content-type-options"], "nosniff")

        let r = try await h.client.generate(["prompt": "a wooden chair", "parameters": ["width": 64, "height": 64],
                                             "category": "product", "wait": 30])
        XCTAssertEqual(r.status, 200, r.text)
        let job = try XCTUnwrap(r.json?["jobs"]?.array?.first?["id"]?.string ?? r.json?["jobs"]?.array?.first?["job_id"]?.string, r.text)
        let image = try XCTUnwrap(r.json?["images"]?.array?.first?["image_id"]?.string, r.text)

        // From the beginning (after=0): queued, stored and finished, in order, each with its id.
        var seen: [(id: Int?, type: String, data: JSONValue?)] = []
        try await h.eventually(10, "job.finished among the events") {
            seen = ServerEventsTests.parse(try await h.client.get("/v1/events?after=0&wait=1").text)
            return seen.contains { $0.type == "job.finished" }
        }
        let types = seen.filter { $0.data?["data"]?["job_id"]?.string == job }.map(\.type)
        XCTAssertEqual(types.first, "job.queued", "\(types)")
        XCTAssertEqual(types.last, "job.finished", "\(types)")
        XCTAssertTrue(types.contains("image.stored"), "\(types)")
        let finished = try XCTUnwrap(seen.last { $0.type == "job.finished" })
        XCTAssertEqual(finished.data?["data"]?["state"]?.string, "succeeded")
        XCTAssertFalse(seen.contains { String(describing: $0.data).contains("wooden chair") }, "prompts never go into events")

        // A client that reconnects with Last-Event-ID gets only what came after it, here a
        // reservation that arrives while it waits.
        let last = try XCTUnwrap(seen.compactMap(\.id).max())
        async let waiting = h.client.send("GET", "/v1/events?wait=20", headers: ["Last-Event-ID": String(last)])
        let held = try await h.client.send("POST", "/v1/images/\(image)/reservation", json: ["channel": "instagram", "day": "2026-12-24"])
        XCTAssertEqual(held.status, 200, held.text)
        let next = ServerEventsTests.parse(try await waiting.text)
        XCTAssertEqual(next.map(\.type), ["image.reserved"], "\(next)")
        XCTAssertEqual(next.first?.data?["data"]?["image_id"]?.string, image)
        XCTAssertEqual(next.first?.id, last + 1)

        // An id from a previous server process (larger than any now) says: reload.
        let stale = ServerEventsTests.parse(try await h.client.send("GET", "/v1/events?wait=0", headers: ["Last-Event-ID": "999999"]).text)
        XCTAssertEqual(stale.map(\.type), ["reset"])
        let bad = try await h.client.send("GET", "/v1/events", headers: ["Last-Event-ID": "yesterday"])
        XCTAssertEqual(bad.status, 400)
        await h.stop()
        XCTAssertTrue(try h.host.auditEntries().contains { $0.action == .imageReservation && $0.subject == image })
    }

    /// Answers 500 to the first request, 200 afterwards, and keeps every request.
    final class Receiver: Sendable {
        let requests = Mutex<[HTTPRequest]>([])
        let failFirst: Int
        init(failFirst: Int) { self.failFirst = failFirst }
        var handler: HTTPHandler {
            { request in
                let n = self.requests.withLock { $0.append(request); return $0.count }
                return n <= self.failFirst ? HTTPResponse(status: .internalServerError) : .noContent
            }
        }
    }

    func testWebhooksAreSignedRetriedAfterA500AndLeaveNothingInTheOutbox() async throws {
        let receiver = Receiver(failFirst: 1)
        let hook = HTTPServer(configuration: HTTPServerConfiguration(listen: .loopback(port: 0)), handler: receiver.handler)
        try hook.start()
        defer { Task { await hook.stop() } }
        let secret = "a-webhook-secret-for-tests-0123456789"
        let config = "{ imaging: { postProcessing: { automatic: false } }, server: { webhooks: [ { url: \"http://127.0.0.1:\(hook.port!)/hooks/imagegen\", secret_env: \"TEST_HOOK_SECRET\", events: [\"job.finished\"] } ] } }"
        let h = try await ServerTestHarness(label: "srv-webhooks", config: config, environment: ["TEST_HOOK_SECRET": secret])
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "a wooden chair", "parameters": ["width": 64, "height": 64], "category": "product", "wait": 30])
        XCTAssertEqual(r.status, 200, r.text)

        try await h.eventually(20, "the webhook delivered after one 500") { receiver.requests.withLock { $0.count } >= 2 }
        let requests = receiver.requests.withLock { $0 }
        XCTAssertEqual(requests.count, 2, "one refused attempt, one delivered; job.queued is not subscribed")
        for request in requests {
            XCTAssertEqual(request.path, "/hooks/imagegen")
            XCTAssertEqual(request.headers["X-Imagegen-Event"], "job.finished")
            let signature = try XCTUnwrap(request.headers["X-Imagegen-Signature"])
            XCTAssertTrue(WebhookSignature.verify(headerValue: signature, secret: Array(secret.utf8), body: Data(request.body)), signature)
            XCTAssertFalse(WebhookSignature.verify(headerValue: signature, secret: Array("another secret".utf8), body: Data(request.body)))
        }
        XCTAssertEqual(requests[0].headers["X-Imagegen-Delivery"], requests[1].headers["X-Imagegen-Delivery"], "a retry is the same delivery")
        XCTAssertEqual(requests[0].body, requests[1].body)
        let body = try XCTUnwrap(JSONValue.parse(requests[1].body))
        XCTAssertEqual(body["type"]?.string, "job.finished")
        XCTAssertEqual(body["data"]?["state"]?.string, "succeeded")
        let outbox = h.host.paths.data + "/webhooks/outbox"
        try await h.eventually(5, "the delivered entry leaves the outbox") {
            ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).isEmpty  // try?: a missing folder counts as empty
        }
        let log = try String(contentsOfFile: h.host.auditLogPath, encoding: .utf8)
        XCTAssertFalse(log.contains(secret))
    }

    func testAnUndeliveredWebhookIsSentAgainAtTheNextStart() async throws {
        let receiver = Receiver(failFirst: 0)
        let hook = HTTPServer(configuration: HTTPServerConfiguration(listen: .loopback(port: 0)), handler: receiver.handler)
        try hook.start()
        defer { Task { await hook.stop() } }
        let url = "http://127.0.0.1:\(hook.port!)/in"
        let config = "{ server: { webhooks: [ { url: \"\(url)\", secret_env: \"TEST_HOOK_SECRET\" } ] } }"
        // What a killed server left behind: an entry written before its first attempt.
        let host = try TestHost(label: "srv-webhook-resume", plugins: ["preview"], config: config)
        let outbox = host.paths.data + "/webhooks/outbox"
        try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true)
        let pending = PendingDelivery(delivery: "whd_left_behind", url: url, type: "image.reviewed", body: "{\"id\":7}")
        try JSONEncoder().encode(pending).write(to: URL(fileURLWithPath: outbox + "/whd_left_behind.json"))
        var settings = try ServerSettings(configuration: try Configuration.load(path: host.paths.config), listen: "127.0.0.1:0",
                                          environment: ["TEST_HOOK_SECRET": "s3cret-for-the-resume-test"])
        settings.shutdownGraceSeconds = 2
        let server = try HostServer(paths: host.paths, settings: settings, log: host.log)
        try await server.start()
        defer { Task { await server.stop(grace: 2) } }
        let end = Date().addingTimeInterval(10)
        while receiver.requests.withLock({ $0.isEmpty }) && Date() < end { try await Task.sleep(nanoseconds: 20_000_000) }
        let request = try XCTUnwrap(receiver.requests.withLock { $0.first })
        XCTAssertEqual(request.headers["X-Imagegen-Delivery"], "whd_left_behind")
        XCTAssertEqual(request.body, Array("{\"id\":7}".utf8))
        XCTAssertTrue(WebhookSignature.verify(headerValue: request.headers["X-Imagegen-Signature"] ?? "",
                                              secret: Array("s3cret-for-the-resume-test".utf8), body: Data(request.body)))
    }

    func testWebhookSettingsNeedTheirSecretAndKnownEvents() throws {
        func settings(_ server: String, env: [String: String] = [:]) throws -> ServerSettings {
            let host = try TestHost(label: "srv-webhook-settings", plugins: [], config: "{ server: \(server) }")
            return try ServerSettings(configuration: try Configuration.load(path: host.paths.config), listen: "127.0.0.1:0", environment: env)
        }
        XCTAssertThrowsError(try settings("{ webhooks: [ { url: \"http://127.0.0.1:9/x\", secret_env: \"UNSET_HOOK\" } ] }")) {
            XCTAssertTrue("\($0)".contains("UNSET_HOOK"), "\($0)")
        }
        XCTAssertThrowsError(try settings("{ webhooks: [ { url: \"http://127.0.0.1:9/x\", secret_env: \"H\", events: [\"job.exploded\"] } ] }", env: ["H": "x"]))
        XCTAssertThrowsError(try settings("{ webhooks: [ { url: \"ftp://127.0.0.1/x\", secret_env: \"H\" } ] }", env: ["H": "x"]))
        let ok = try settings("{ webhooks: [ { url: \"http://127.0.0.1:9/x\", secret_env: \"H\", events: [\"job.finished\"] } ] }", env: ["H": "x"])
        XCTAssertEqual(ok.webhooks.first?.wants("job.finished"), true)
        XCTAssertEqual(ok.webhooks.first?.wants("job.queued"), false)
    }
}
