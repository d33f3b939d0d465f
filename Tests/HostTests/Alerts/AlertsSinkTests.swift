import Foundation
import Synchronization
import XCTest
@testable import Host
@testable import Catalog
@testable import ImagegenTestSupport
@testable import Operations

final class AlertsSinkTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_795_000_000)

    private var sampleAlert: Alert {
        Alert(id: "ProviderFailing/replicate", rule: "ProviderFailing", subject: "replicate", severity: .critical,
              startedAt: t0, message: "provider replicate failed 4 times in a row \"quoted\"")
    }

    /// Records the back-off delays instead of sleeping.
    final class DelayRecorder: Sendable {
        private let delays = Mutex<[Double]>([])
        var all: [Double] { delays.withLock { $0 } }
        func sleep(_ seconds: Double) { delays.withLock { $0.append(seconds) } }
    }

    func testHMACMatchesGitHubTestVector() {
        // reference/operations.md §9.
        let hex = WebhookSignature.hmacSHA256Hex(key: Array("It's a Secret to Everybody".utf8),
                                                 message: Array("Hello, World!".utf8))
        XCTAssertEqual(hex, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        let body = Data("Hello, World!".utf8)
        XCTAssertTrue(WebhookSignature.verify(headerValue: "sha256=" + hex, secret: Array("It's a Secret to Everybody".utf8), body: body))
        XCTAssertFalse(WebhookSignature.verify(headerValue: "sha256=" + hex, secret: Array("wrong".utf8), body: body))
    }

    func testRetryPolicyDelays() {
        let policy = WebhookRetryPolicy(initialDelay: 0.5, multiplier: 2, maxDelay: 3, jitter: 0.5)
        XCTAssertEqual(policy.delay(beforeRetry: 1, unit: 0.5), 0.5)    // no spread at the middle
        XCTAssertEqual(policy.delay(beforeRetry: 2, unit: 0.5), 1)
        XCTAssertEqual(policy.delay(beforeRetry: 4, unit: 0.5), 3)      // capped (0.5 × 8 = 4 → 3)
        XCTAssertEqual(policy.delay(beforeRetry: 1, unit: 0), 0.25)     // −50 %
        XCTAssertEqual(policy.delay(beforeRetry: 1, unit: 0.999_999), 0.75, accuracy: 1e-5)
        XCTAssertTrue(WebhookRetryPolicy.isRetryable(status: 503))
        XCTAssertTrue(WebhookRetryPolicy.isRetryable(status: 429))
        XCTAssertFalse(WebhookRetryPolicy.isRetryable(status: 400))
        XCTAssertFalse(WebhookRetryPolicy.isRetryable(status: 302))
    }

    func testWebhookRetriesThenDeliversSignedIdenticalBodies() async throws {
        let server = try AlertsWebhookTestServer(statuses: ["503", "429:7", "200"], secret: "s3cr3t-for-tests")
        defer { server.stop() }
        let delays = DelayRecorder()
        let sink = WebhookAlertSink(url: server.url, secret: Array("s3cr3t-for-tests".utf8),
                                    policy: WebhookRetryPolicy(maxAttempts: 5, initialDelay: 0.5, jitter: 0.5, requestTimeout: 5),
                                    sleep: { delays.sleep($0) }, unitRandom: { 0.5 })
        let notification = AlertNotification(.fired(sampleAlert), at: t0)
        try await sink.deliver(notification)

        let requests = try server.requests()
        XCTAssertEqual(requests.count, 3)
        XCTAssertTrue(requests.allSatisfy(\.signature_ok), "python's HMAC must agree with ours on every attempt")
        XCTAssertEqual(Set(requests.map(\.body)).count, 1, "retries resend the same bytes")
        XCTAssertEqual(Set(requests.compactMap(\.delivery)), [notification.deliveryID])
        XCTAssertEqual(requests.first?.event, "alert.firing")
        XCTAssertEqual(delays.all, [0.5, 7], "back-off after the 503, Retry-After after the 429")

        let body = try JSONSerialization.jsonObject(with: Data(requests[0].body.utf8)) as? [String: Any]
        XCTAssertEqual(body?["type"] as? String, "alert.firing")
        let data = body?["data"] as? [String: Any]
        XCTAssertEqual(data?["id"] as? String, "ProviderFailing/replicate")
        XCTAssertEqual(data?["status"] as? String, "firing")
        XCTAssertEqual(data?["startsAt"] as? String, "2026-11-18T11:06:40Z")
        XCTAssertEqual(data?["message"] as? String, "provider replicate failed 4 times in a row \"quoted\"")
    }

    func testWebhookDoesNotRetryAClientErrorAndKeepsTheURLSecret() async throws {
        let server = try AlertsWebhookTestServer(statuses: ["400"], secret: nil)
        defer { server.stop() }
        let delays = DelayRecorder()
        let sink = WebhookAlertSink(url: server.url, policy: WebhookRetryPolicy(requestTimeout: 5),
                                    sleep: { delays.sleep($0) })
        do {
            try await sink.deliver(AlertNotification(.fired(sampleAlert), at: t0))
            XCTFail("a 400 must be reported")
        } catch {
            XCTAssertEqual(error, .webhookRefused(endpoint: "http://127.0.0.1:\(server.port)", status: 400))
            XCTAssertFalse(error.description.contains("do-not-log"))
        }
        let requests = try server.requests()
        XCTAssertEqual(requests.count, 1)
        XCTAssertNil(requests[0].signature, "no secret, no signature header")
        XCTAssertEqual(delays.all, [])
    }

    func testWebhookGivesUpAfterMaxAttemptsAndOnConnectionRefused() async throws {
        let server = try AlertsWebhookTestServer(statuses: ["500"], secret: "k")
        let delays = DelayRecorder()
        let policy = WebhookRetryPolicy(maxAttempts: 3, initialDelay: 1, multiplier: 2, jitter: 0, requestTimeout: 5)
        let sink = WebhookAlertSink(url: server.url, secret: Array("k".utf8), policy: policy, sleep: { delays.sleep($0) })
        do {
            try await sink.deliver(AlertNotification(.resolved(sampleAlert), at: t0))
            XCTFail("persistent 500 must give up")
        } catch {
            XCTAssertEqual(error, .webhookGaveUp(endpoint: "http://127.0.0.1:\(server.port)", attempts: 3, lastProblem: "HTTP 500"))
        }
        XCTAssertEqual(try server.requests().count, 3)
        XCTAssertEqual(delays.all, [1, 2])
        // Nothing listens on the port any more: transport errors are retried, then reported.
        server.stop()
        let refusedDelays = DelayRecorder()
        let refused = WebhookAlertSink(url: server.url, policy: policy, sleep: { refusedDelays.sleep($0) })
        do {
            try await refused.deliver(AlertNotification(.fired(sampleAlert), at: t0))
            XCTFail("a closed port must fail")
        } catch {
            guard case let .webhookGaveUp(_, attempts, problem) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(attempts, 3)
            XCTAssertTrue(problem.hasPrefix("network error"), problem)
        }
        XCTAssertEqual(refusedDelays.all.count, 2)
    }

    func testWebhookGoneIsFinal() async throws {
        let server = try AlertsWebhookTestServer(statuses: ["410"], secret: nil)
        defer { server.stop() }
        let sink = WebhookAlertSink(url: server.url, policy: WebhookRetryPolicy(requestTimeout: 5), sleep: { _ in })
        do {
            try await sink.deliver(AlertNotification(.fired(sampleAlert), at: t0))
            XCTFail("410 must be reported")
        } catch {
            XCTAssertEqual(error, .webhookGone(endpoint: "http://127.0.0.1:\(server.port)"))
        }
        XCTAssertEqual(try server.requests().count, 1)
    }

    func testFileSinkAppendsWholeJSONLinesUnderConcurrency() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = FileAlertSink(path: path)
        let base = sampleAlert, t0 = self.t0
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                group.addTask {
                    var alert = base
                    alert.subject = "p\(i)"
                    alert.id = "ProviderFailing/p\(i)"
                    try? await sink.deliver(AlertNotification(.fired(alert), at: t0))
                }
            }
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 40)
        let ids = try lines.map { line -> String in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["data"] as? [String: Any])?["id"] as? String ?? ""
        }
        XCTAssertEqual(Set(ids).count, 40)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let missingDir = FileAlertSink(path: "/nonexistent-dir-\(UUID().uuidString)/alerts.jsonl")
        do {
            try await missingDir.deliver(AlertNotification(.fired(sampleAlert), at: t0))
            XCTFail("an unwritable path must be reported")
        } catch {
            guard case .fileWrite = error else { return XCTFail("\(error)") }
        }
    }

    func testDispatcherFansOutAndReportsEachSink() async throws {
        let lines = Mutex<[String]>([])
        let log = LogAlertSink { line in lines.withLock { $0.append(line) } }
        let broken = FileAlertSink(path: "/nonexistent-dir-\(UUID().uuidString)/a.jsonl")
        let metrics = try HostMetrics(version: "test")
        let failures = Mutex<[String]>([])
        let dispatcher = AlertDispatcher(sinks: [log, broken], clock: ManualWallClock(t0), metrics: metrics,
                                         onFailure: { message in failures.withLock { $0.append(message) } })
        var ended = sampleAlert
        ended.endedAt = t0.addingTimeInterval(300)
        let results = await dispatcher.dispatch([.fired(sampleAlert), .resolved(ended)])
        XCTAssertEqual(results.count, 4)
        XCTAssertEqual(results.filter { $0.error == nil }.map(\.sink), ["log", "log"])
        XCTAssertEqual(lines.withLock { $0 }, [
            "alert firing [critical] ProviderFailing/replicate: provider replicate failed 4 times in a row \"quoted\"",
            "alert resolved [critical] ProviderFailing/replicate: provider replicate failed 4 times in a row \"quoted\"",
        ])
        XCTAssertEqual(failures.withLock { $0.count }, 2)
        XCTAssertEqual(metrics.alertNotifications.value(labels: ["sink": "file", "outcome": "failed"]), 2)
        XCTAssertEqual(metrics.alertNotifications.value(labels: ["sink": "log", "outcome": "delivered"]), 2)
        XCTAssertEqual(AlertNotification(.resolved(ended), at: t0).deliveryID, "ProviderFailing/replicate@1795000000/resolved")
    }
}
