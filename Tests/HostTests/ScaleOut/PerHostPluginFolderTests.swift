import Foundation
import ImagegenJSON
import XCTest

/// Plugin folders may differ per host: a host without a candidate for a job's model leaves the job
/// to a host with one, instead of claiming it and failing it for want of a plugin.
final class PerHostPluginFolderTests: XCTestCase {
    typealias ServeProcess = ServerProcessTests.ServeProcess

    func testAHostWithoutTheModelsPluginLeavesItsJobsToAHostWithIt() async throws {
        let url = try PostgresTestServer.running().makeDatabase()
        let root = TestEnvironment.temporaryDirectory("per-host-plugins")
        let submits = root + "/submits.log"
        // One at a time with some latency on the host with Preview: a backlog the other host
        // (no plugins, runner idle) would take if it claimed by anything but its models.
        let config = "{ jobs: { concurrency: 1 }, providers: { preview: { latency_ms: 100, submit_log: \"\(submits)\" } } }"
        let bare = try TestHost(label: "plugins-none", plugins: [], config: config)
        let full = try TestHost(label: "plugins-preview", config: config)
        let bareServe = try ServeProcess(bare, environment: ["IMAGEGEN_CATALOG_URL": url, "IMAGEGEN_HOST_NAME": "bare"])
        try await bareServe.waitUntilListening()
        let key = bare.paths.data + "/keys/master.key"
        let fullServe = try ServeProcess(full, environment: ["IMAGEGEN_CATALOG_URL": url, "IMAGEGEN_HOST_NAME": "full",
                                                             "IMAGEGEN_MASTER_KEY_FILE": key])
        defer {
            for serve in [bareServe, fullServe] where serve.process.isRunning { kill(serve.process.processIdentifier, SIGKILL) }
            for path in [root, bare.root, full.root] { try? FileManager.default.removeItem(atPath: path) }  // try?: a leftover temp folder fails nothing
        }
        try await fullServe.waitUntilListening()
        try await ScaleOutTestSupport.waitForModel("preview", on: fullServe)

        var ids: [String] = []
        for i in 0..<8 {
            let r = try await fullServe.client.generate(["prompt": .string("a lighthouse in fog \(i)"), "parameters": ["width": 64, "height": 64]])
            XCTAssertTrue(ScaleOutTestSupport.isAccepted(r.status), "\(r.status): \(r.text)")
            ids += r.json?["jobs"]?.array?.compactMap { $0["id"]?.string } ?? []
        }
        XCTAssertEqual(ids.count, 8)
        let states = try await ScaleOutTestSupport.waitForTerminal(ids, on: fullServe.client, seconds: 60)
        XCTAssertEqual(states.values.filter { $0 != "succeeded" }, [],
                       "jobs failed: a host without the model's plugin claimed them? \(bareServe.output.lines.suffix(10))")
        XCTAssertEqual(Set(ServerTestHarness.submitLog(submits)), Set(ids))
        XCTAssertFalse(bareServe.output.lines.contains { line in ids.contains { line.contains($0) } },
                       "the host without plugins touched a job: \(bareServe.output.lines.suffix(10))")
        // The host without the plugin still serves the images (its own catalog, the other host's file
        // here on the same machine is not in its data folder: it has no storage, so it says so).
        let image = try await fullServe.client.get("/v1/images?job=\(ids[0])").json?["images"]?[0]?["image_id"]?.string
        let missing = try await bareServe.client.get("/v1/images/\(try XCTUnwrap(image))/file")
        XCTAssertEqual(missing.status, 410, missing.text)
        XCTAssertEqual(missing.errorCode, "file_missing")
    }
}
