import Foundation
import Glibc
import XCTest
@testable import ImagegenCore
@testable import PluginHost

/// The bounded spin before sleeping on a lane, and the replacement child started at once after
/// a first crash.
final class LaneSpinTests: IsolationTestCase {
    /// Two empty spins in a row stop it; it then probes once every `probeEvery` waits, and a
    /// probe that finds its frame turns it back on.
    func testSpinningStopsAfterMissesAndComesBackAfterAProbeThatHits() {
        var spin = LaneSpin(microseconds: 50)
        XCTAssertNotNil(spin.deadline())
        spin.record(hit: true)
        XCTAssertNotNil(spin.deadline())
        spin.record(hit: false)
        XCTAssertNotNil(spin.deadline(), "one miss is not enough to stop")
        spin.record(hit: false)
        for i in 1..<Int(LaneSpin.probeEvery) { XCTAssertNil(spin.deadline(), "wait \(i) after two misses sleeps at once") }
        XCTAssertNotNil(spin.deadline(), "the probe")
        spin.record(hit: true)
        XCTAssertNotNil(spin.deadline(), "a hit turns it back on")
        var off = LaneSpin(microseconds: 0)
        XCTAssertNil(off.deadline(), "a window of 0 never spins")
    }

    /// A frame already there is a hit; a frame that comes after the spin is still received (the
    /// reader falls back to sleeping) and is a miss; a peer gone during the spin is `.closed`.
    func testASpunReceiveFindsItsFrameOrFallsBackToSleeping() throws {
        var pair: [Int32] = [-1, -1]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair), 0)
        let host = FrameChannel(fd: pair[0], ownsDescriptor: true)
        let child = FrameChannel(fd: pair[1], ownsDescriptor: true)
        let reader = FrameReader(host)
        let far = DispatchTime.now().uptimeNanoseconds + 60_000_000_000

        XCTAssertTrue(child.send(.reply, id: 7, [1, 2, 3]))
        guard case .frame(let first) = reader.receive(spinUntil: far) else { return XCTFail("no frame") }
        XCTAssertEqual(first.id, 7)
        XCTAssertEqual(first.body, [1, 2, 3])
        XCTAssertTrue(reader.spinHit)

        let late = Thread { usleep(200_000); child.send(.reply, id: 8, [4]) }
        late.start()
        guard case .frame(let second) = reader.receive(until: far, spinUntil: DispatchTime.now().uptimeNanoseconds) else {
            return XCTFail("the frame after the spin was lost")
        }
        XCTAssertEqual(second.id, 8)
        XCTAssertFalse(reader.spinHit, "it came after the spin")

        child.close()
        guard case .closed = reader.receive(spinUntil: far) else { return XCTFail("a closed peer must end the spin") }
    }

    /// A first crash starts the replacement without waiting for a call; a second in a row waits
    /// for its back-off and a call.
    func testAFirstCrashRestartsTheChildAtOnceAndARepeatWaitsForACall() async throws {
        let loader = PluginLoader(log: TestEnvironment.capturingLog().0, secrets: EnvironmentSecrets(environment: [:]),
                                  runner: IsolationFixtures.runner)
        let generation = try loader.load(file: try TestEnvironment.pluginLibrary("preview"), generation: 1).get()
        defer { generation.retire() }
        let first = try XCTUnwrap(generation.runStatus.pid)
        kill(first, SIGKILL)
        try await eventually("a replacement child with no call made") { (generation.runStatus.pid ?? first) != first }
        XCTAssertEqual(generation.runStatus.starts, 2)
        XCTAssertEqual(generation.runStatus.consecutiveCrashes, 1)

        let second = try XCTUnwrap(generation.runStatus.pid)
        kill(second, SIGKILL)
        try await eventually("the second crash is counted") { generation.runStatus.consecutiveCrashes == 2 }
        try await Task.sleep(nanoseconds: 500_000_000)
        XCTAssertNil(generation.runStatus.pid, "a repeat is not restarted without a call")
        XCTAssertEqual(generation.runStatus.state, "restarting")
        let instance = try generation.makeInstance(config: ["schema": 1])
        _ = try instance.submit(ProviderHarness.request(model: "preview-1"))
        XCTAssertEqual(generation.runStatus.starts, 3, "the call started it")
    }
}
