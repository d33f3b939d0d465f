import Foundation
import XCTest
@testable import Host
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Pipeline
@testable import PluginHost

/// Candidate order, fail-over and circuits, with two Preview builds serving the model "preview".
final class RoutingTests: XCTestCase {
    func twoProviders(_ config: String) throws -> (TestHost, String) {
        let folder = TestEnvironment.temporaryDirectory("routing")
        let second = try TestHost.compilePreviewVariant(id: "preview-b", into: folder)
        return (try TestHost(label: "routing", extraPlugins: [second], config: config), folder)
    }

    func testCandidatesAreOrderedByPriorityThenPluginID() throws {
        let (host, _) = try twoProviders("{}")
        let generator = try host.generator()
        XCTAssertEqual(try generator.service.route(model: "preview").candidates.map(\.0.plugin), ["preview", "preview-b"])
        let (host2, _) = try twoProviders(#"{ providers: { "preview-b": { priority: 3 } } }"#)
        let g2 = try host2.generator()
        let plan = try g2.service.route(model: "preview")
        XCTAssertEqual(plan.candidates.map(\.0.plugin), ["preview-b", "preview"])
        XCTAssertEqual(plan.chosen?.plugin, "preview-b")
    }

    func testFailingProviderFailsOverAndItsCircuitOpensAfterThreeFailures() async throws {
        let (host, _) = try twoProviders("""
            { providers: { preview: { fail_every_n: 1, priority: 10 } }, jobs: { submit_attempts: 1 } }
            """)
        let generator = try host.generator()
        var plugins: [String] = []
        for i in 0..<4 {
            let r = try await generator.generateCustom(prompt: "cup \(i)", parameters: GenerationParameters(width: 64, height: 64))
            plugins.append(r[0].metadata.apiUsed)
        }
        XCTAssertEqual(plugins, Array(repeating: "preview-b/preview-1", count: 4))
        if case .open = generator.service.health.state("preview/preview-1", now: Date()) {} else {
            XCTFail("the circuit should be open after 3 consecutive failures")
        }
        // `imagegen route` says why the first candidate is skipped.
        let plan = try generator.service.route(model: "preview")
        XCTAssertEqual(plan.chosen?.plugin, "preview-b")
        XCTAssertTrue(plan.candidates[0].1.description.hasPrefix("circuit open until"), plan.candidates[0].1.description)
        await generator.shutdown()
    }

    func testAdultCategoryGoesOnlyToProvidersThatAllowIt() throws {
        let board = HealthBoard(settings: HealthSettings())
        let limits = SizeLimits(minSize: 64, maxSize: 1024, maxOutputs: 4)
        let entry = ModelTable.Entry(name: "m", aliases: [], candidates: [
            .init(plugin: "strict", providerModel: "a", price: nil, priority: 10, nsfwAllowed: false, limits: limits, capabilities: [], options: [:]),
            .init(plugin: "open", providerModel: "b", price: nil, priority: 0, nsfwAllowed: true, limits: limits, capabilities: [], options: [:]),
        ])
        let router = Router(health: board)
        let adult = router.plan(entry, adult: true, width: 512, height: 512, outputs: 1, loaded: ["strict", "open"], tried: [], now: Date())
        XCTAssertEqual(adult.chosen?.plugin, "open")
        XCTAssertEqual(adult.candidates[0].1, .adultContentNotAllowed)
        let neutral = router.plan(entry, adult: false, width: 512, height: 512, outputs: 1, loaded: ["strict", "open"], tried: [], now: Date())
        XCTAssertEqual(neutral.chosen?.plugin, "strict")
        let big = router.plan(entry, adult: false, width: 2048, height: 512, outputs: 1, loaded: ["strict", "open"], tried: [], now: Date())
        XCTAssertNil(big.chosen)
    }

    func testCircuitCoolDownGrowsAndAHalfOpenProbeClosesIt() {
        var settings = HealthSettings()
        settings.failureThreshold = 3
        settings.cooldownSeconds = 10
        let board = HealthBoard(settings: settings)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for _ in 0..<2 { board.recordFailure("p/m", now: t0, message: "500") }
        XCTAssertEqual(board.state("p/m", now: t0), .closed)
        board.recordFailure("p/m", now: t0, message: "500")
        XCTAssertEqual(board.state("p/m", now: t0), .open(until: t0.addingTimeInterval(10)))
        XCTAssertFalse(board.admit("p/m", now: t0.addingTimeInterval(5)))
        // After the cool-down one probe is admitted; a second caller waits.
        XCTAssertTrue(board.admit("p/m", now: t0.addingTimeInterval(10)))
        XCTAssertFalse(board.admit("p/m", now: t0.addingTimeInterval(10)))
        // The probe fails: open again, twice as long.
        board.recordFailure("p/m", now: t0.addingTimeInterval(10), message: "500")
        XCTAssertEqual(board.state("p/m", now: t0.addingTimeInterval(10)), .open(until: t0.addingTimeInterval(30)))
        XCTAssertTrue(board.admit("p/m", now: t0.addingTimeInterval(30)))
        board.recordSuccess("p/m")
        XCTAssertEqual(board.state("p/m", now: t0.addingTimeInterval(30)), .closed)
    }

    func testRouteCommandExplainsTheChoice() throws {
        let (host, _) = try twoProviders(#"{ providers: { "preview-b": { priority: 1 } } }"#)
        let out = try host.cli(["route", "preview", "--json"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((json["chosen"] as? [String: Any])?["plugin"] as? String, "preview-b")
        XCTAssertEqual((json["candidates"] as? [[String: Any]])?.count, 2)
    }
}
