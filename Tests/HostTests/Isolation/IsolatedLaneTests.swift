import Foundation
import ImagegenJSON
import Synchronization
import XCTest
@testable import ImagegenCore
@testable import PluginHost

/// Calls on lanes (a socket per call in flight, served by a thread of its own in the child):
/// which clock the child reads, calls in parallel on one child, and the host services a call
/// asks for on its lane.
final class IsolatedLaneTests: IsolationTestCase {
    func preview(clock: TestClock, latencyMs: Int) throws -> ProviderHarness {
        let h = try ProviderHarness(plugin: "preview", config: ["latency_ms": .number(Double(latencyMs))], secrets: [:], clock: clock,
                                    runner: IsolationFixtures.runner)
        XCTAssertEqual(h.generation.runStatus.isolation, "process")
        return h
    }

    /// A host on a fake clock (tests) answers `now_ms` itself: the child may not read its own.
    func testAChildOnAFakeClockAsksTheHostForTheTime() throws {
        let clock = TestClock(1_000)
        let p = try preview(clock: clock, latencyMs: 60_000)
        let submitted = try p.submit(ProviderHarness.request(model: "preview-1")).get()
        let ref = try XCTUnwrap(submitted["ref"])
        XCTAssertEqual(ref["created_ms"]?.number, 1_000, "submit read the host's fake clock")
        XCTAssertEqual(try p.poll(ref).get()["state"]?.string, "running")
        clock.advance(milliseconds: 60_000)
        XCTAssertEqual(try p.poll(ref).get()["state"]?.string, "succeeded")
    }

    /// A host on the system clock lets the child read it (no round trip for Preview's polls).
    func testAChildOnTheSystemClockReadsItItself() throws {
        let (log, _) = TestEnvironment.capturingLog()
        let loader = PluginLoader(log: log, secrets: EnvironmentSecrets(environment: [:]), runner: IsolationFixtures.runner)
        let generation = try loader.load(file: try TestEnvironment.pluginLibrary("preview"), generation: 1).get()
        defer { generation.retire() }
        XCTAssertEqual(generation.runStatus.isolation, "process")
        let instance = try generation.makeInstance(config: ["schema": 1])
        let before = Date().timeIntervalSince1970 * 1000
        let submitted = try instance.submit(ProviderHarness.request(model: "preview-1"))
        let created = try XCTUnwrap(submitted["ref"]?["created_ms"]?.number)
        XCTAssertGreaterThanOrEqual(created, before.rounded(.down) - 1)
        XCTAssertLessThanOrEqual(created, Date().timeIntervalSince1970 * 1000 + 1)
    }

    /// Calls from many host threads at once each get their own answer, and lanes are reused:
    /// the child holds about as many as there were calls at once, not one per call.
    func testParallelCallsGetTheirOwnAnswersOnReusedLanes() throws {
        let p = try preview(clock: TestClock(), latencyMs: 0)
        let threads = 8, polls = 50
        let refs = try (0..<threads).map { i in
            try XCTUnwrap(try p.submit(ProviderHarness.request(model: "preview-1", seed: 100 + i)).get()["ref"])
        }
        let wrong = Atomic<Int>(0)
        let group = DispatchGroup()
        for i in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                for _ in 0..<polls {
                    let seed = (try? p.poll(refs[i]).get())?["seed"]?.number  // try?: a failure counts as a wrong answer below
                    if seed != Double(100 + i) { wrong.add(1, ordering: .relaxed) }
                }
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        XCTAssertEqual(wrong.load(ordering: .relaxed), 0, "every poll answered with its own job's seed")
        let status = p.generation.runStatus
        XCTAssertEqual(status.starts, 1, "no child was restarted")
        let pid = try XCTUnwrap(status.pid)
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        XCTAssertLessThanOrEqual(descriptors, 4 + threads + 8, "\(threads * polls) calls, \(descriptors) descriptors in the child")
    }
}

/// A provider plugin in a child: its HTTP requests, with the secret substituted by the host,
/// go out and come back on the lane of the call that made them.
final class IsolatedProviderServicesTests: ProviderTestCase {
    override var defaultBasePath: String { "/v1" }

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: IsolationFixtures.runner) else {
            XCTFail("\(IsolationFixtures.runner) is missing: run `swift build` before `swift test`")
            throw XCTSkip("imagegen not built")
        }
        try startEmulator("replicate", token: ReplicateProviderTests.token)
    }

    func testHTTPAndSecretsOfACallTravelOnItsLane() throws {
        let p = try harness("replicate", secrets: ["REPLICATE_API_TOKEN": ReplicateProviderTests.token], runner: IsolationFixtures.runner)
        XCTAssertEqual(p.generation.runStatus.isolation, "process")
        let submitted = try p.submit(ProviderHarness.request(model: ReplicateProviderTests.sd, outputs: 2)).get()
        let done = try p.pollUntilDone(submitted)
        XCTAssertEqual(done["state"]?.string, "succeeded")
        let ref = try XCTUnwrap(done["ref"])
        for i in 0..<2 { ProviderAssert.isWholePNG(try p.fetch(ref, i).get()) }
        XCTAssertEqual(try emulator.requests(kind: "create").first?["auth_ok"]?.bool, true, "the host substituted the token")
        XCTAssertEqual(try emulator.requests(kind: "file").map { $0["auth_ok"]?.bool }, [true, true])
        XCTAssertEqual(p.generation.runStatus.starts, 1)
    }
}
