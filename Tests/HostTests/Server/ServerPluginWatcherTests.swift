import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// The live plugins folder: files dropped in, replaced, removed, refused or still being
/// copied, while the server runs.
final class ServerPluginWatcherTests: XCTestCase {
    let small: JSONValue = ["width": 64, "height": 64]

    func candidates(_ h: ServerTestHarness) async throws -> [String] {
        let models = try await h.client.get("/v1/models").json
        let preview = models?["models"]?.array?.first { $0["name"]?.string == "preview" }
        return preview?["candidates"]?.array?.compactMap { $0["plugin"]?.string } ?? []
    }

    func record(_ h: ServerTestHarness, _ file: String) async throws -> JSONValue? {
        try await h.client.get("/v1/plugins").json?["plugins"]?.array?.first { $0["file"]?.string == file }
    }

    func testAddReplaceAndRemoveWithoutRestart() async throws {
        let build = TestEnvironment.temporaryDirectory("srv-watch-build")
        let b1 = try TestHost.compilePreviewVariant(id: "preview-b", into: build)
        let h = try await ServerTestHarness(label: "srv-watch", config: """
            { providers: { "preview-b": { priority: 5 } } }
            """)
        defer { Task { await h.stop() } }
        let folder = h.host.paths.plugins
        let initial = try await candidates(h)
        XCTAssertEqual(initial, ["preview"])

        // Add: a plain copy (not atomic) — the watcher waits until it is stable.
        try FileManager.default.copyItem(atPath: b1, toPath: folder + "/libpreview-b.so")
        try await h.eventually(10, "preview-b becomes a candidate") { try await candidates(h) == ["preview-b", "preview"] }
        let routed = try await h.client.generate(["prompt": "new provider", "parameters": small, "wait": 30])
        XCTAssertEqual(routed.json?["images"]?[0]?["metadata"]?["api_used"]?.string, "preview-b/preview-1")
        let loaded = try await record(h, "libpreview-b.so")
        XCTAssertEqual(loaded?["version"]?.string, "1.0.0")
        let firstGeneration = try XCTUnwrap(loaded?["generation"]?.int)

        // Replace: a rebuild with a new hash becomes a new generation.
        let rebuilt = TestEnvironment.temporaryDirectory("srv-watch-build2")
        let b2 = try TestHost.compilePreviewVariant(id: "preview-b", extraDefines: [#"PREVIEW_VERSION="1.0.1""#], into: rebuilt)
        try ServerTestHarness.drop(b2, as: "libpreview-b.so", into: folder)
        try await h.eventually(10, "the new generation serves") {
            try await record(h, "libpreview-b.so")?["version"]?.string == "1.0.1"
        }
        let swapped = try await record(h, "libpreview-b.so")
        XCTAssertGreaterThan(swapped?["generation"]?.int ?? 0, firstGeneration)
        let history = try await h.client.get("/v1/plugins").json?["recent_changes"]?.array ?? []
        XCTAssertTrue(history.contains { $0["change"]?["kind"]?.string == "swapped" && $0["change"]?["plugin"]?.string == "preview-b" })
        let after = try await h.client.generate(["prompt": "after swap", "parameters": small, "wait": 30])
        XCTAssertEqual(after.json?["images"]?[0]?["metadata"]?["api_used"]?.string, "preview-b/preview-1")

        // Remove: its models leave routing; traffic goes to the remaining candidate.
        try FileManager.default.removeItem(atPath: folder + "/libpreview-b.so")
        try await h.eventually(10, "preview-b leaves routing") { try await candidates(h) == ["preview"] }
        let gone = try await record(h, "libpreview-b.so")
        XCTAssertNil(gone)
        let fallback = try await h.client.generate(["prompt": "after removal", "parameters": small, "wait": 30])
        XCTAssertEqual(fallback.json?["images"]?[0]?["metadata"]?["api_used"]?.string, "preview/preview-1")
        await h.stop()
    }

    func testARefusedFileIsReportedAndARefusedReplacementLeavesTheOldGenerationServing() async throws {
        let build = TestEnvironment.temporaryDirectory("srv-refuse-build")
        let b = try TestHost.compilePreviewVariant(id: "preview-b", into: build)
        let h = try await ServerTestHarness(label: "srv-refuse", extraPlugins: [b], config: """
            { providers: { "preview-b": { priority: 5 } } }
            """)
        defer { Task { await h.stop() } }
        let folder = h.host.paths.plugins

        // A new file that is not a plugin: refused, reported, nothing else changes.
        try Data("this is not an ELF file".utf8).write(to: URL(fileURLWithPath: folder + "/broken.so"))
        try await h.eventually(10, "broken.so is reported") { try await record(h, "broken.so") != nil }
        let broken = try await record(h, "broken.so")
        XCTAssertEqual(broken?["status"]?.string, "refused")
        XCTAssertTrue(broken?["error"]?.string?.contains("not an ELF") ?? false, "\(String(describing: broken))")
        XCTAssertTrue(h.host.lines.lines.contains { $0.contains("refused broken.so") }, "the refusal is logged")

        // A broken replacement of a loaded plugin: the old generation keeps serving.
        let generation = try await record(h, "libpreview-b.so")?["generation"]?.int
        let garbage = build + "/garbage.so"
        try Data(repeating: 0x7F, count: 4096).write(to: URL(fileURLWithPath: garbage))
        try ServerTestHarness.drop(garbage, as: "libpreview-b.so", into: folder)
        try await h.eventually(10, "the refused replacement is reported") {
            try await record(h, "libpreview-b.so")?["error"]?.string != nil
        }
        let kept = try await record(h, "libpreview-b.so")
        XCTAssertEqual(kept?["status"]?.string, "loaded")
        XCTAssertEqual(kept?["generation"]?.int, generation)
        let health = try await h.client.get("/v1/health").json
        XCTAssertEqual(health?["status"]?.string, "degraded")
        let served = try await h.client.generate(["prompt": "still served", "parameters": small, "wait": 30])
        XCTAssertEqual(served.json?["images"]?[0]?["metadata"]?["api_used"]?.string, "preview-b/preview-1")
        await h.stop()
    }

    func testAHalfWrittenFileIsNeverLoaded() async throws {
        let build = TestEnvironment.temporaryDirectory("srv-half-build")
        let b = try TestHost.compilePreviewVariant(id: "preview-b", into: build)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: b))
        let h = try await ServerTestHarness(label: "srv-half", settleMilliseconds: 300)
        defer { Task { await h.stop() } }
        let target = h.host.paths.plugins + "/libpreview-b.so"

        // A slow copy: 12 chunks, 40 ms apart; the file is incomplete for about half a second.
        FileManager.default.createFile(atPath: target, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
        let chunk = (bytes.count + 11) / 12
        var offset = 0
        while offset < bytes.count {
            try handle.write(contentsOf: bytes[offset..<min(bytes.count, offset + chunk)])
            offset += chunk
            try await Task.sleep(nanoseconds: 40_000_000)
        }
        try handle.close()
        try await h.eventually(10, "the complete file loads") { try await record(h, "libpreview-b.so")?["id"]?.string == "preview-b" }
        // The new set is published before the watcher files its event: wait for the event too.
        try await h.eventually(5, "the load is in the watcher's history") {
            h.server.watcher.history.contains { $0.change.file == "libpreview-b.so" && $0.change.kind == "loaded" }
        }
        let events = h.server.watcher.history.filter { $0.change.file == "libpreview-b.so" }
        XCTAssertEqual(events.map(\.change.kind), ["loaded"], "loaded once, never refused half-written")
        await h.stop()
    }

    func testATruncatedFileThatStopsGrowingIsRefusedNotMapped() async throws {
        let h = try await ServerTestHarness(label: "srv-trunc")
        defer { Task { await h.stop() } }
        // A copy that stalled half way (or a full disk): stable, settled, and incomplete.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try TestEnvironment.pluginLibrary("preview")))
        let build = TestEnvironment.temporaryDirectory("srv-trunc-build")
        try bytes.prefix(bytes.count * 6 / 10).write(to: URL(fileURLWithPath: build + "/trunc.so"))
        try ServerTestHarness.drop(build + "/trunc.so", as: "trunc.so", into: h.host.paths.plugins)
        try await h.eventually(10, "trunc.so is reported") { try await record(h, "trunc.so") != nil }
        let refused = try await record(h, "trunc.so")
        XCTAssertEqual(refused?["status"]?.string, "refused")
        XCTAssertTrue(refused?["error"]?.string?.contains("incomplete") ?? false, "\(String(describing: refused))")
        // Still serving.
        let served = try await h.client.generate(["prompt": "after a truncated plugin", "parameters": small, "wait": 30])
        XCTAssertEqual(served.status, 200)
        await h.stop()
    }
}
