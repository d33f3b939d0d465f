import Foundation
import ImagegenJSON
import Synchronization
import XCTest
@testable import Host
@testable import Catalog

/// The product's promise: a failing provider is swapped without stopping anything, and no job
/// is lost or run twice on the way.
final class ServerHotSwapTests: XCTestCase {
    let small: JSONValue = ["width": 64, "height": 64]

    struct Builds: Sendable {
        let failing: String
        let fixed: String
        let fixedAgain: String
        let fallback: String
    }

    /// preview-a (primary, priority 10) in a failing, a fixed and a second fixed build (another
    /// hash); preview-b (fallback, priority 0). Both serve the model "preview".
    func builds() throws -> Builds {
        func build(_ id: String, _ defines: [String]) throws -> String {
            try TestHost.compilePreviewVariant(id: id, extraDefines: defines, into: TestEnvironment.temporaryDirectory("srv-swap-build"))
        }
        return Builds(failing: try build("preview-a", ["PREVIEW_ALWAYS_FAIL"]),
                      fixed: try build("preview-a", []),
                      fixedAgain: try build("preview-a", [#"PREVIEW_VERSION="1.0.1""#]),
                      fallback: try build("preview-b", []))
    }

    func config(logs: String, extra: String = "") -> String {
        """
        { providers: { "preview-a": { priority: 10, submit_log: "\(logs)/a.log" },
                       "preview-b": { priority: 0, submit_log: "\(logs)/b.log" } },
          jobs: { submit_attempts: 1, concurrency: 8 },
          health: { failure_threshold: 3, cooldown_seconds: 600 } \(extra) }
        """
    }

    func circuit(_ h: ServerTestHarness, _ candidate: String) async throws -> JSONValue? {
        try await h.client.get("/v1/health").json?["candidates"]?.array?.first { $0["candidate"]?.string == candidate }
    }

    func testAFailingProviderIsSwappedForAFixedBuildAndTrafficReturnsToIt() async throws {
        let b = try builds()
        let logs = TestEnvironment.temporaryDirectory("srv-swap-logs")
        try FileManager.default.copyItem(atPath: b.failing, toPath: logs + "/libpreview-a.so")
        let h = try await ServerTestHarness(label: "srv-hotswap", plugins: [], extraPlugins: [logs + "/libpreview-a.so", b.fallback],
                                            config: config(logs: logs))
        defer { Task { await h.stop() } }
        var jobIDs: [String] = []

        // 1. The primary fails: every job fails over to the fallback; after 3 failures the
        //    circuit opens and the primary is no longer tried.
        for i in 0..<6 {
            let r = try await h.client.generate(["prompt": .string("before \(i)"), "parameters": small, "wait": 30])
            XCTAssertEqual(r.status, 200, r.text)
            XCTAssertEqual(r.json?["images"]?[0]?["metadata"]?["api_used"]?.string, "preview-b/preview-1", r.text)
            jobIDs += r.json?["jobs"]?.array?.compactMap { $0["id"]?.string } ?? []
        }
        let open = try await circuit(h, "preview-a/preview-1")
        XCTAssertEqual(open?["state"]?.string, "open")
        XCTAssertEqual(open?["consecutive_failures"]?.int, 3)
        let degraded = try await h.client.get("/v1/health").json?["status"]?.string
        XCTAssertEqual(degraded, "degraded")
        XCTAssertEqual(ServerTestHarness.submitLog(logs + "/a.log"), jobIDs.prefix(3).map { $0 + " failed" },
                       "only the first three jobs tried the primary")
        XCTAssertTrue(h.host.lines.lines.contains { $0.contains("circuit opened for preview-a/preview-1") }, "the opening raised an alert line")

        // 2. The operator drops the fixed build in: a new generation with a closed circuit.
        let before = try await h.client.get("/v1/plugins").json?["plugins"]?.array?.first { $0["id"]?.string == "preview-a" }?["generation"]?.int
        try ServerTestHarness.drop(b.fixed, as: "libpreview-a.so", into: h.host.paths.plugins)
        try await h.eventually(10, "the fixed build is swapped in and its circuit closed") {
            let gen = try await h.client.get("/v1/plugins").json?["plugins"]?.array?.first { $0["id"]?.string == "preview-a" }?["generation"]?.int
            let state = try await circuit(h, "preview-a/preview-1")?["state"]?.string
            return gen != before && state == "closed"
        }

        // 3. Traffic returns to the primary.
        for i in 0..<4 {
            let r = try await h.client.generate(["prompt": .string("after \(i)"), "parameters": small, "wait": 30])
            XCTAssertEqual(r.status, 200, r.text)
            XCTAssertEqual(r.json?["images"]?[0]?["metadata"]?["api_used"]?.string, "preview-a/preview-1", r.text)
            jobIDs += r.json?["jobs"]?.array?.compactMap { $0["id"]?.string } ?? []
        }
        let healthy = try await h.client.get("/v1/health").json?["status"]?.string
        XCTAssertEqual(healthy, "ok")

        // Zero lost, zero duplicated: every job succeeded with one image, and each reached
        // exactly one provider successfully.
        try await assertEachJobRanOnce(h, jobIDs, logs: logs)
        await h.stop()
    }

    func testSwapsWhileEightClientsSubmitLoseNothingAndRunNothingTwice() async throws {
        let b = try builds()
        let logs = TestEnvironment.temporaryDirectory("srv-swap8-logs")
        try FileManager.default.copyItem(atPath: b.fixed, toPath: logs + "/libpreview-a.so")
        let h = try await ServerTestHarness(label: "srv-swap8", plugins: [], extraPlugins: [logs + "/libpreview-a.so", b.fallback],
                                            config: config(logs: logs))
        defer { Task { await h.stop() } }
        final class Load: Sendable {
            let swapping = Atomic<Bool>(true)
            let ids = Mutex<[String]>([])
            let failures = Mutex<[String]>([])
        }
        let load = Load()
        let client = h.client
        let small = self.small
        let folder = h.host.paths.plugins

        // 8 clients submit continuously (bounded: at least 8 requests each, at most 40)
        // while the primary is swapped 6 times, once for a failing build.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in 0..<8 {
                group.addTask {
                    var n = 0
                    while n < 40 && (n < 8 || load.swapping.load(ordering: .relaxed)) {
                        let r = try await client.generate(["prompt": .string("client \(c) request \(n)"), "parameters": small, "wait": 60])
                        let jobs = r.json?["jobs"]?.array ?? []
                        load.ids.withLock { $0 += jobs.compactMap { $0["id"]?.string } }
                        if r.status != 200 || jobs.first?["state"]?.string != "succeeded" {
                            load.failures.withLock { $0.append("\(r.status) \(r.text.prefix(300))") }
                        }
                        n += 1
                    }
                }
            }
            group.addTask {
                for build in [b.fixedAgain, b.failing, b.fixed, b.fixedAgain, b.fixed, b.fixedAgain] {
                    try await Task.sleep(nanoseconds: 300_000_000)
                    try ServerTestHarness.drop(build, as: "libpreview-a.so", into: folder)
                }
                try await Task.sleep(nanoseconds: 400_000_000)
                load.swapping.store(false, ordering: .relaxed)
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(load.failures.withLock { $0 }, [], "every request succeeds or fails over")
        let all = load.ids.withLock { $0 }
        XCTAssertGreaterThanOrEqual(all.count, 64)
        XCTAssertEqual(Set(all).count, all.count, "no job id twice")
        let swaps = h.server.watcher.history.filter { $0.change.kind == "swapped" && $0.change.plugin == "preview-a" }.count
        XCTAssertGreaterThanOrEqual(swaps, 2, "the primary was swapped under load")
        try await assertEachJobRanOnce(h, all, logs: logs)
        await h.stop()
    }

    /// Every job succeeded with exactly one image; the providers saw it exactly as many times
    /// as the host submitted it, and exactly one of those submits was accepted (the others
    /// were failures that failed over).
    func assertEachJobRanOnce(_ h: ServerTestHarness, _ ids: [String], logs: String,
                              file: StaticString = #filePath, line: UInt = #line) async throws {
        var submits: [String: Int] = [:]
        var accepted: [String: Int] = [:]
        for entry in ServerTestHarness.submitLog(logs + "/a.log") + ServerTestHarness.submitLog(logs + "/b.log") {
            let id = String(entry.split(separator: " ")[0])
            submits[id, default: 0] += 1
            if !entry.hasSuffix(" failed") { accepted[id, default: 0] += 1 }
        }
        for id in ids {
            let job = try await h.client.get("/v1/jobs/\(id)").json
            XCTAssertEqual(job?["state"]?.string, "succeeded", "\(id)", file: file, line: line)
            XCTAssertEqual(job?["images"]?.array?.count, 1, "\(id) has one image", file: file, line: line)
            XCTAssertEqual(submits[id] ?? 0, job?["submit_count"]?.int ?? -1,
                           "\(id): the providers saw every submit the host made, no more", file: file, line: line)
            XCTAssertEqual(accepted[id] ?? 0, 1, "\(id): accepted by exactly one provider, once", file: file, line: line)
        }
        XCTAssertEqual(Set(submits.keys), Set(ids), "no submit for a job nobody asked for", file: file, line: line)
        let catalogImages = try h.host.catalog().images(ImageFilter(limit: 10_000))
        XCTAssertEqual(catalogImages.count, ids.count, "no image without a job, none twice", file: file, line: line)
    }
}
