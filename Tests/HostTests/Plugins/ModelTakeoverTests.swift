import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import ImagegenConfig
@testable import PluginHost

/// Issue 15, item 4: a plugin dropped into a running host that declares a model another
/// plugin already serves goes last for it (unless the config gives it a priority), however
/// its id sorts; `plugins`, `health`, the models/route order and the log say so.
final class ModelTakeoverTests: XCTestCase {
    let small: JSONValue = ["width": 64, "height": 64]

    func testALatePluginDeclaringAServedModelGoesLastAndSaysSo() async throws {
        let so = try BoundaryCheckTests.buildFixture([], id: "aaa", model: "preview")
        let h = try await ServerTestHarness(label: "takeover")
        try ServerTestHarness.drop(so, as: "libaaa.so", into: h.host.paths.plugins)
        try await h.eventually(10, "aaa loads and is routable") {
            h.server.runtime.models.resolve("preview")?.candidates.count == 2
        }

        let candidates = h.server.runtime.models.resolve("preview")?.candidates ?? []
        XCTAssertEqual(candidates.map(\.plugin), ["preview", "aaa"], "the newcomer does not take the model")
        XCTAssertNil(candidates.first?.orderNote)
        let note = try XCTUnwrap(candidates.last?.orderNote)
        XCTAssertTrue(note.contains("loaded after preview") && note.contains("goes last") && note.contains("providers.aaa.priority"), note)

        // Traffic stays with the plugin that served the model.
        for i in 0..<3 {
            let r = try await h.client.generate(["model": "preview", "prompt": .string("cup \(i)"), "parameters": small, "wait": 30])
            XCTAssertEqual(r.status, 200, r.text)
            XCTAssertEqual(r.json?["images"]?[0]?["metadata"]?["api_used"]?.string, "preview/preview-1", r.text)
        }

        // The log, /v1/plugins, /v1/health and /v1/models say so.
        XCTAssertTrue(h.host.lines.lines.contains { $0.contains("plugin aaa: loaded after preview already served preview") },
                      "\(h.host.lines.lines.suffix(5))")
        let plugins = try await h.client.get("/v1/plugins").json?["plugins"]?.array ?? []
        let aaa = plugins.first { $0["id"]?.string == "aaa" }
        XCTAssertTrue((aaa?["ordering"]?[0]?.string ?? "").contains("goes last"), "\(String(describing: aaa))")
        XCTAssertNil(plugins.first { $0["id"]?.string == "preview" }?["ordering"]?.array)
        let health = try await h.client.get("/v1/health").json
        XCTAssertTrue((health?["plugins"]?.array ?? []).contains { ($0["ordering"]?[0]?.string ?? "").contains("goes last") })
        let models = try await h.client.get("/v1/models").json?["models"]?.array ?? []
        let preview = models.first { $0["name"]?.string == "preview" }
        XCTAssertEqual(preview?["plugin"]?.string, "preview")
        XCTAssertTrue((preview?["candidates"]?[1]?["order_note"]?.string ?? "").contains("goes last"))
        await h.stop()

        // The order survives a restart: the newcomer is still "later" (the CLI's route says so too).
        let route = try h.host.cli(["route", "preview", "--json"])
        XCTAssertEqual(route.status, 0, route.stderr)
        let answer = try XCTUnwrap(JSONValue.parse(Array(route.stdout.utf8)))
        XCTAssertEqual(answer["candidates"]?.array?.compactMap { $0["plugin"]?.string }, ["preview", "aaa"], route.stdout)
        XCTAssertTrue((answer["candidates"]?[1]?["order_note"]?.string ?? "").contains("goes last"), route.stdout)
        let listed = try h.host.cli(["plugins"])
        XCTAssertTrue(listed.stdout.contains("note: aaa loaded after preview"), listed.stdout)
    }

    func testAPriorityInTheConfigOrdersALatePlugin() throws {
        let manifest = { (id: String) in
            PluginManifest(id: id, name: id, version: "1", nsfwAllowed: false, threadSafe: true, idempotentSubmit: false, secrets: [],
                           models: [.init(name: "m", providerModel: "\(id)-1", price: nil, capabilities: [], nsfwAllowed: false,
                                          limits: SizeLimits(minSize: 64, maxSize: 1024, maxOutputs: 1), options: [:])])
        }
        var config = Configuration()
        let arrivals = ["zed": 1, "aaa": 2]
        var table = ModelTable(manifests: [manifest("aaa"), manifest("zed")], configuration: config, arrivals: arrivals)
        XCTAssertEqual(table.resolve("m")?.candidates.map(\.plugin), ["zed", "aaa"])
        // Loaded in the same scan: the old rule (priority, then id).
        table = ModelTable(manifests: [manifest("aaa"), manifest("zed")], configuration: config, arrivals: ["zed": 1, "aaa": 1])
        XCTAssertEqual(table.resolve("m")?.candidates.map(\.plugin), ["aaa", "zed"])
        XCTAssertNil(table.resolve("m")?.candidates.first?.orderNote)
        // A priority in the config is the operator's choice.
        config.providers["aaa"] = ["priority": 5]
        table = ModelTable(manifests: [manifest("aaa"), manifest("zed")], configuration: config, arrivals: arrivals)
        XCTAssertEqual(table.resolve("m")?.candidates.map(\.plugin), ["aaa", "zed"])
        XCTAssertNil(table.resolve("m")?.candidates.first?.orderNote)
    }
}
