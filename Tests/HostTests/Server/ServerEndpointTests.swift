import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// Each endpoint of the API, through a real server on loopback.
final class ServerEndpointTests: XCTestCase {
    let small: JSONValue = ["width": 64, "height": 64]

    func testHealthzModelsAndPlugins() async throws {
        let h = try await ServerTestHarness(label: "srv-basic")
        defer { Task { await h.stop() } }
        let health = try await h.client.get("/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.json?["status"]?.string, "ok")

        let models = try await h.client.get("/v1/models")
        XCTAssertEqual(models.status, 200)
        XCTAssertEqual(models.headers["content-type"], "application/json")
        let preview = models.json?["models"]?.array?.first
        XCTAssertEqual(preview?["name"]?.string, "preview")
        XCTAssertEqual(preview?["candidates"]?[0]?["plugin"]?.string, "preview")
        // Served from the cache the second time, identical.
        let again = try await h.client.get("/v1/models")
        XCTAssertEqual(again.body, models.body)

        let plugins = try await h.client.get("/v1/plugins")
        XCTAssertEqual(plugins.status, 200)
        let record = plugins.json?["plugins"]?[0]
        XCTAssertEqual(record?["id"]?.string, "preview")
        XCTAssertEqual(record?["status"]?.string, "loaded")
        XCTAssertEqual(record?["generation"]?.int, 1)
        XCTAssertNotNil(plugins.json?["recent_changes"]?.array)
        await h.stop()
    }

    func testGenerationWithWaitReturnsJobsAndImagesAndTheFile() async throws {
        let h = try await ServerTestHarness(label: "srv-gen")
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "a red teapot", "parameters": small, "variations": 2,
                                             "tags": ["kitchen"], "category": "product", "wait": 30])
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["status"]?.string, "finished")
        let jobs = r.json?["jobs"]?.array ?? []
        XCTAssertEqual(jobs.count, 2)
        XCTAssertEqual(Set(jobs.compactMap { $0["state"]?.string }), ["succeeded"])
        XCTAssertNotNil(jobs.first?["created_at"]?.string, "dates are ISO 8601 strings")
        let images = r.json?["images"]?.array ?? []
        XCTAssertEqual(images.count, 2)
        let image = try XCTUnwrap(images.first)
        XCTAssertEqual(image["tags"]?[0]?.string, "kitchen")
        XCTAssertEqual(image["parameters"]?["width"]?.int, 64)

        let id = try XCTUnwrap(image["image_id"]?.string)
        let shown = try await h.client.get("/v1/images/\(id)")
        XCTAssertEqual(shown.status, 200)
        XCTAssertEqual(shown.json?["image_id"]?.string, id)
        XCTAssertEqual(shown.json?["metadata"]?["api_used"]?.string, "preview/preview-1")

        let file = try await h.client.get("/v1/images/\(id)/file")
        XCTAssertEqual(file.status, 200)
        XCTAssertEqual(file.headers["content-type"], "image/png")
        XCTAssertEqual(Array(file.body.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertEqual(file.body.count, image["bytes"]?.int)
        let etag = try XCTUnwrap(file.headers["etag"])
        let cached = try await h.client.send("GET", "/v1/images/\(id)/file", headers: ["If-None-Match": etag])
        XCTAssertEqual(cached.status, 304)
        await h.stop()
        // Every API call is in the audit log with its principal and status.
        let audit = try String(contentsOfFile: h.host.paths.data + "/audit.log", encoding: .utf8)
        let calls = audit.split(separator: "\n").filter { $0.contains("\"api.call\"") }
        XCTAssertTrue(calls.contains { $0.contains("POST /v1/generations") && $0.contains("loopback:") }, "\(calls)")
        XCTAssertTrue(calls.contains { $0.contains("GET /v1/images/\(id)/file") })
    }

    func testGenerationWithoutWaitIs202AndTheJobCanBeFollowed() async throws {
        let h = try await ServerTestHarness(label: "srv-202", config: "{ providers: { preview: { latency_ms: 300 } } }")
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "a blue cup", "parameters": small])
        XCTAssertEqual(r.status, 202, r.text)
        XCTAssertEqual(r.json?["status"]?.string, "pending")
        XCTAssertEqual(r.json?["images"]?.array?.count, 0)
        let id = try XCTUnwrap(r.json?["jobs"]?[0]?["id"]?.string)
        XCTAssertNotNil(r.json?["batch_id"]?.string)
        var last: JSONValue?
        try await h.eventually(20, "job \(id) succeeds") {
            last = try await h.client.get("/v1/jobs/\(id)").json
            return last?["state"]?.string == "succeeded"
        }
        XCTAssertEqual(last?["images"]?.array?.count, 1)
        XCTAssertEqual(last?["plugin"]?.string, "preview")
        let list = try await h.client.get("/v1/jobs?state=succeeded&limit=5")
        XCTAssertEqual(list.json?["jobs"]?.array?.compactMap { $0["id"]?.string }, [id])
        await h.stop()
    }

    func testWaitShorterThanTheJobAnswers202WithTheJobStillRunning() async throws {
        let h = try await ServerTestHarness(label: "srv-wait", config: "{ providers: { preview: { latency_ms: 3000 } } }")
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "slow", "parameters": small, "wait": 0.3])
        XCTAssertEqual(r.status, 202)
        XCTAssertFalse(["succeeded", "failed"].contains(r.json?["jobs"]?[0]?["state"]?.string ?? ""))
        await h.stop()
    }

    func testCancelAQueuedOrRunningJobAndRefuseAFinishedOne() async throws {
        let h = try await ServerTestHarness(label: "srv-cancel", config: "{ providers: { preview: { latency_ms: 5000 } } }")
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "to cancel", "parameters": small])
        let id = try XCTUnwrap(r.json?["jobs"]?[0]?["id"]?.string)
        let cancel = try await h.client.send("DELETE", "/v1/jobs/\(id)")
        XCTAssertEqual(cancel.status, 200, cancel.text)
        XCTAssertEqual(cancel.json?["cancel_requested"]?.bool, true)
        try await h.eventually(20, "job \(id) is cancelled") {
            try await h.client.get("/v1/jobs/\(id)").json?["state"]?.string == "cancelled"
        }
        // Cancelling again is harmless.
        let again = try await h.client.send("DELETE", "/v1/jobs/\(id)")
        XCTAssertEqual(again.status, 200)
        let missing = try await h.client.send("DELETE", "/v1/jobs/job_nope")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.errorCode, "not_found")
        await h.stop()

        let h2 = try await ServerTestHarness(label: "srv-cancel2")
        defer { Task { await h2.stop() } }
        let done = try await h2.client.generate(["prompt": "finished", "parameters": small, "wait": 30])
        let doneID = try XCTUnwrap(done.json?["jobs"]?[0]?["id"]?.string)
        let conflict = try await h2.client.send("DELETE", "/v1/jobs/\(doneID)")
        XCTAssertEqual(conflict.status, 409)
        XCTAssertEqual(conflict.errorCode, "job_finished")
        await h2.stop()
    }

    func testImageFilters() async throws {
        let h = try await ServerTestHarness(label: "srv-images")
        defer { Task { await h.stop() } }
        let before = Date().addingTimeInterval(-1)
        _ = try await h.client.generate(["prompt": "cat", "parameters": small, "tags": ["cat"], "wait": 30])
        _ = try await h.client.generate(["prompt": "dog", "parameters": small, "tags": ["dog"], "category": "product", "wait": 30])
        let all = try await h.client.get("/v1/images")
        XCTAssertEqual(all.json?["images"]?.array?.count, 2)
        let cats = try await h.client.get("/v1/images?tag=cat")
        XCTAssertEqual(cats.json?["images"]?.array?.compactMap { $0["prompt"]?.string }, ["cat"])
        let n1 = try await h.client.get("/v1/images?category=product&model=preview&status=completed").json?["images"]?.array?.count
        XCTAssertEqual(n1, 2)
        let n2 = try await h.client.get("/v1/images?model=other").json?["images"]?.array?.count
        XCTAssertEqual(n2, 0)
        let since = ISO8601DateFormatter().string(from: before)
        let n3 = try await h.client.get("/v1/images?since=\(since)").json?["images"]?.array?.count
        XCTAssertEqual(n3, 2)
        let n4 = try await h.client.get("/v1/images?since=\(Int(Date().timeIntervalSince1970) + 3600)").json?["images"]?.array?.count
        XCTAssertEqual(n4, 0)
        let n5 = try await h.client.get("/v1/images?limit=1").json?["images"]?.array?.count
        XCTAssertEqual(n5, 1)
        let emptyFilters = try await h.client.get("/v1/images?category=&tag=&since=").json?["images"]?.array?.count
        XCTAssertEqual(emptyFilters, 2, "an empty filter is no filter")
        let bad = try await h.client.get("/v1/images?since=yesterday")
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.errorCode, "invalid_request")
        let unknown = try await h.client.get("/v1/images?colour=red")
        XCTAssertEqual(unknown.status, 400)
        let noImage = try await h.client.get("/v1/images/img_nope")
        XCTAssertEqual(noImage.status, 404)
        let noFile = try await h.client.get("/v1/images/img_nope/file")
        XCTAssertEqual(noFile.status, 404)
        await h.stop()
    }

    func testQueuedJobsRunByPriorityThenAge() async throws {
        // One job at a time, each takes a while: the first occupies the runner while the rest queue.
        // Two seconds per job, so a loaded machine still queues all four before the first finishes.
        let h = try await ServerTestHarness(label: "srv-prio", config: """
            { jobs: { concurrency: 1 }, providers: { preview: { latency_ms: 2000 } } }
            """)
        defer { Task { await h.stop() } }
        let first = try await h.client.generate(["prompt": "first", "parameters": small])
        try await h.eventually(10, "the first job is submitted") {
            let state = try await h.client.get("/v1/jobs/\(first.json?["jobs"]?[0]?["id"]?.string ?? "")").json?["state"]?.string
            return state != "queued"
        }
        var ids: [String: String] = [:]
        for (name, priority) in [("low-old", 0), ("low-new", 0), ("urgent", 50), ("mid", 10)] {
            let r = try await h.client.generate(["prompt": .string(name), "parameters": small, "priority": .number(Double(priority))])
            ids[name] = r.json?["jobs"]?[0]?["id"]?.string
        }
        var submitted: [String: String] = [:]
        try await h.eventually(30, "all jobs finish") {
            for (name, id) in ids {
                let job = try await h.client.get("/v1/jobs/\(id)").json
                guard job?["state"]?.string == "succeeded" else { return false }
                submitted[name] = job?["submitted_at"]?.string
            }
            return true
        }
        let order = submitted.sorted { $0.value < $1.value }.map(\.key)
        XCTAssertEqual(order, ["urgent", "mid", "low-old", "low-new"])
        await h.stop()
    }

    func testGenerationFromATemplateRecordsItsProvenance() async throws {
        let h = try await ServerTestHarness(label: "srv-template")
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["template": "product_packshot", "variations": 2, "parameters": ["seed": 7], "wait": 60])
        XCTAssertEqual(r.status, 200, r.text)
        let images = r.json?["images"]?.array ?? []
        XCTAssertEqual(images.count, 2)
        XCTAssertEqual(Set(images.compactMap { $0["extra"]?["template"]?.string }), ["product_packshot"])
        XCTAssertNotNil(images.first?["extra"]?["template_version"]?.string)
        XCTAssertEqual(images.first?["category"]?.string, "product")
        // The same seed gives the same prompts.
        let again = try await h.client.generate(["template": "product_packshot", "variations": 2, "parameters": ["seed": 7]])
        XCTAssertEqual(again.json?["jobs"]?.array?.compactMap { $0["prompt"]?.string },
                       r.json?["jobs"]?.array?.compactMap { $0["prompt"]?.string })
        // By category: its first template.
        let byCategory = try await h.client.generate(["category": "product"])
        XCTAssertEqual(byCategory.status, 202, byCategory.text)
        let unknown = try await h.client.generate(["template": "nope"])
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(unknown.errorCode, "unknown_template")
        let both = try await h.client.generate(["template": "product_packshot", "prompt": "x"])
        XCTAssertEqual(both.errorCode, "invalid_request")
        let size = try await h.client.generate(["template": "product_packshot", "parameters": ["width": 64]])
        XCTAssertEqual(size.errorCode, "invalid_request")
        await h.stop()
    }

    func testARetriedRequestWithTheSameIdempotencyKeyQueuesNothingNew() async throws {
        let h = try await ServerTestHarness(label: "srv-idem")
        defer { Task { await h.stop() } }
        let body: JSONValue = ["prompt": "once", "parameters": small, "variations": 2]
        let first = try await h.client.send("POST", "/v1/generations", json: body, headers: ["Idempotency-Key": "plan-42"])
        let second = try await h.client.send("POST", "/v1/generations", json: body, headers: ["Idempotency-Key": "plan-42"])
        let ids = first.json?["jobs"]?.array?.compactMap { $0["id"]?.string } ?? []
        XCTAssertEqual(ids.count, 2)
        XCTAssertEqual(second.json?["jobs"]?.array?.compactMap { $0["id"]?.string }, ids)
        let other = try await h.client.send("POST", "/v1/generations", json: body, headers: ["Idempotency-Key": "plan-43"])
        XCTAssertNotEqual(other.json?["jobs"]?.array?.compactMap { $0["id"]?.string }, ids)
        let bad = try await h.client.send("POST", "/v1/generations", json: body, headers: ["Idempotency-Key": "has space"])
        XCTAssertEqual(bad.errorCode, "invalid_request")
        await h.stop()
    }

    func testHealthReloadAndMetrics() async throws {
        let h = try await ServerTestHarness(label: "srv-health")
        defer { Task { await h.stop() } }
        _ = try await h.client.generate(["prompt": "a lamp", "parameters": small, "wait": 30])
        let health = try await h.client.get("/v1/health")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.json?["status"]?.string, "ok")
        let candidate = health.json?["candidates"]?[0]
        XCTAssertEqual(candidate?["candidate"]?.string, "preview/preview-1")
        XCTAssertEqual(candidate?["state"]?.string, "closed")
        XCTAssertEqual(candidate?["models"]?[0]?.string, "preview")
        XCTAssertEqual(health.json?["plugins"]?[0]?["id"]?.string, "preview")

        let reload = try await h.client.send("POST", "/v1/plugins/reload")
        XCTAssertEqual(reload.status, 200)
        XCTAssertEqual(reload.json?["changes"]?.array?.count, 0)
        XCTAssertEqual(reload.json?["plugins"]?.array?.count, 1)

        _ = try await h.client.get("/nope")
        let metrics = try await h.client.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") ?? false)
        let text = metrics.text
        for line in ["imagegen_up 1", "imagegen_jobs{state=\"succeeded\"} 1",
                     "imagegen_generations_total{model=\"preview\",provider=\"preview\",status=\"succeeded\"} 1",
                     "imagegen_circuit_state{candidate=\"preview/preview-1\",plugin=\"preview\",state=\"closed\"} 1",
                     "imagegen_http_requests_total{route=\"/v1/generations\",code=\"200\"} 1",
                     "imagegen_http_requests_total{route=\"unmatched\",code=\"404\"} 1",
                     "imagegen_provider_circuit_open{provider=\"preview\",model=\"preview\"} 0",
                     "# TYPE imagegen_generations_total counter"] {
            XCTAssertTrue(text.contains(line + "\n"), "missing \(line) in:\n\(text)")
        }
        XCTAssertTrue(text.contains("process_resident_memory_bytes "))
        // Every sample line is "name{labels} value" or "name value".
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            XCTAssertNotNil(Double(line.split(separator: " ").last ?? ""), "bad sample line \(line)")
        }
        await h.stop()
    }
}
