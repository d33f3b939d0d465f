import Foundation
import XCTest
@testable import PluginHost

/// The checked boundary holds for a plugin in a child process too: the child refuses an
/// oversized answer before copying it and says so in its reply, and the host checks the poll
/// result it gets back exactly as in-process — same job error, message, log line and health.
/// (The fixture's counters, read through `dlsym`, are only checked in-process.)
final class IsolatedBoundaryCheckTests: BoundaryCheckTests {
    override func setUpWithError() throws {
        try super.setUpWithError()
        guard FileManager.default.isExecutableFile(atPath: IsolationFixtures.runner) else {
            XCTFail("\(IsolationFixtures.runner) is missing: run `swift build` before `swift test`")
            throw XCTSkip("imagegen not built")
        }
        PluginRunnerLocation.executable = IsolationFixtures.runner
    }

    override func tearDown() {
        PluginRunnerLocation.executable = nil
        super.tearDown()
    }

    /// The fixture really ran in a child (else these tests would prove nothing new).
    func testTheFaultyPluginRunsInAChild() async throws {
        let so = try BoundaryCheckTests.buildFixture(["MB_POLL_MALFORMED"])
        let h = try await ServerTestHarness(label: "mb-isolated", extraPlugins: [so], config: "{}")
        let gen = try XCTUnwrap(h.server.runtime.plugins.generation(forPlugin: "bad"))
        XCTAssertEqual(gen.runStatus.isolation, "process")
        XCTAssertNil(gen.handle, "not loaded into the host's process")
        await h.stop()
    }

    override func testMalformedPollJSONFailsTheJobAtOnce() async throws { try await super.testMalformedPollJSONFailsTheJobAtOnce() }
    override func testUnknownPollStateFailsTheJobAtOnce() async throws { try await super.testUnknownPollStateFailsTheJobAtOnce() }
    override func testMoreOutputsThanAskedForAreRefusedAndNoneIsFetched() async throws {
        try await super.testMoreOutputsThanAskedForAreRefusedAndNoneIsFetched()
    }
    override func testAnAbsurdFetchSizeIsRefusedWithTheSizeNamed() async throws { try await super.testAnAbsurdFetchSizeIsRefusedWithTheSizeNamed() }
}
