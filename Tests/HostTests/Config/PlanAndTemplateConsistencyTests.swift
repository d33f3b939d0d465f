import Foundation
import XCTest
@testable import Host
@testable import ImagegenConfig
@testable import ImagegenCore
import ImagegenJSON
@testable import Operations
@testable import PluginHost
@testable import Templates

/// Issue 16 item 5: plans and templates are checked against the models and their terms at load,
/// not at 06:00 when the slot runs.
final class PlanAndTemplateConsistencyTests: XCTestCase {
    func testTemplatesCheckRefusesAModelThatDoesNotExist() throws {
        let host = try TestHost(label: "tpl-model")
        let folder = host.paths.data + "/templates"
        _ = try DefaultTemplates.installIfFirstUse(into: URL(fileURLWithPath: folder))
        try "{ category: \"product\", adult: false, templates: [ { name: \"pinned\", prompt: \"a chair\", model: \"sdxl\" } ] }"
            .write(toFile: folder + "/pinned.json5", atomically: true, encoding: .utf8)
        let out = try host.cli(["templates", "check"])
        XCTAssertEqual(out.status, 2, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("template pinned: model \"sdxl\" is not a known model (known: preview)"), out.stdout)
    }

    func testAnAdultTemplatePinnedToAModelThatForbidsAdultContentIsRefused() {
        let config = Configuration()
        let manifest = PluginManifest(id: "p", name: "P", version: "1", nsfwAllowed: false, threadSafe: true, idempotentSubmit: true,
                                      secrets: [], models: [.init(name: "safe", providerModel: "s1", price: nil, capabilities: [],
                                                                  nsfwAllowed: false, limits: SizeLimits(minSize: 64, maxSize: 1024, maxOutputs: 1), options: [:])])
        let models = ModelTable(manifests: [manifest], configuration: config)
        let adult = PromptTemplate(name: "boudoir", category: "lingerie", adult: true, prompt: "x", model: "safe")
        let product = PromptTemplate(name: "chair", category: "product", adult: false, prompt: "x", model: "safe")
        let problems = HostConsistency.templateProblems([adult, product], models: models)
        XCTAssertEqual(problems.map(\.template), ["boudoir"])
        XCTAssertTrue(problems.first?.message.contains("does not allow adult content") == true, "\(problems)")
    }

    func testPlanMarksASlotWithAnUnknownTemplateOrModelInvalidAndExits2() throws {
        let host = try TestHost(label: "plan-invalid", config: """
            { plans: { time_zone: "UTC", daily: { slots: [
                { id: "ghost", start: "06:00", end: "06:30", category: "product", template: "no_such_template", count: { min: 1, max: 1 } },
                { id: "wrong-model", start: "07:00", end: "07:30", category: "product", template: "product_packshot", model: "sdxl", count: { min: 1, max: 1 } },
                { id: "fine", start: "08:00", end: "08:30", category: "product", template: "product_packshot", count: { min: 1, max: 1 } } ] } } }
            """)
        _ = try DefaultTemplates.installIfFirstUse(into: URL(fileURLWithPath: host.paths.data + "/templates"))
        let out = try host.cli(["plan", "--days", "1"])
        XCTAssertEqual(out.status, 2, out.stdout + out.stderr)
        XCTAssertTrue(out.stderr.contains("plan slot ghost is invalid: template \"no_such_template\" does not exist"), out.stderr)
        XCTAssertTrue(out.stderr.contains("plan slot wrong-model is invalid: template product_packshot: model \"sdxl\" is not a known model"), out.stderr)
        XCTAssertFalse(out.stderr.contains("plan slot fine"), out.stderr)
        XCTAssertTrue(out.stdout.contains("INVALID"), out.stdout)
    }

    func testServeStartsDegradedAndSaysWhyWhileTheConfigCannotRunAsWritten() async throws {
        let host = try TestHost(label: "serve-invalid-plan", config: """
            { plans: { time_zone: "UTC", daily: { slots: [
                { id: "ghost", start: "06:00", end: "06:30", category: "product", template: "no_such_template", count: 1 } ] } } }
            """)
        let server = try ServerProcessTests.ServeProcess(host)
        try await server.waitUntilListening()
        var health = try await server.client.get("/v1/health")
        let end = Date().addingTimeInterval(20)
        while health.json?["settling"]?.bool == true, Date() < end {
            try await Task.sleep(nanoseconds: 50_000_000)
            health = try await server.client.get("/v1/health")
        }
        XCTAssertEqual(health.json?["status"]?.string, "degraded", health.text)
        let problems = (health.json?["problems"]?.array ?? []).compactMap(\.string)
        XCTAssertEqual(problems, ["plans: slot ghost: template \"no_such_template\" does not exist"], health.text)
        let logged = Date().addingTimeInterval(20)
        let line = "serve starts degraded: plans: slot ghost: template \"no_such_template\" does not exist"
        while !server.output.lines.contains(where: { $0.contains(line) }), Date() < logged {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTAssertFalse(server.output.lines.contains { $0.contains("serve starts degraded: defaults.model") }, "checked before the plugins loaded")
        XCTAssertTrue(server.output.lines.contains { $0.contains(line) },
                      server.output.lines.joined(separator: "\n"))
        // The rest keeps working: the API still generates.
        let made = try await server.client.send("POST", "/v1/generations", json: ["prompt": "a cup", "parameters": ["width": 64, "height": 64], "wait": 30])
        XCTAssertEqual(made.status, 200, made.text)
        server.process.interrupt()
        _ = await server.waitForExit()
    }
}
