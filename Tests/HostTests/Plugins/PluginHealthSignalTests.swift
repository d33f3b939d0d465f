import Foundation
import ImagegenJSON
import XCTest
@testable import Pipeline
@testable import PluginHost

/// Issue 15, item 5: the health signals a plugin's calls raise, on a fake clock (no timing is
/// asserted: the clock is moved by hand).
final class PluginHealthSignalTests: XCTestCase {
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var value = Date(timeIntervalSince1970: 1_000_000)
        var now: Date { lock.lock(); defer { lock.unlock() }; return value }
        func advance(_ s: TimeInterval) { lock.lock(); value += s; lock.unlock() }
    }

    func testACallPastItsLimitIsReportedAsHungNamingThePlugin() {
        let clock = Clock()
        let tracker = PluginCallTracker(clock: { clock.now })
        let monitor = PluginHealthMonitor(tracker: tracker)
        let token = tracker.begin(plugin: "hang", function: "submit")
        XCTAssertEqual(monitor.allSignals(now: clock.now), [])
        clock.advance(PluginCallTracker.defaultLimits["submit"]! - 1)
        _ = tracker.begin(plugin: "fine", function: "poll")
        XCTAssertEqual(monitor.allSignals(now: clock.now), [], "just inside the limit")
        clock.advance(2)
        let signals = monitor.allSignals(now: clock.now)
        XCTAssertEqual(signals.map(\.plugin), ["hang"], "the later poll is within its limit: \(signals)")
        XCTAssertEqual(signals.first?.kind, .hung)
        XCTAssertTrue(signals.first?.message.contains("plugin hang: 1 call(s) in flight past their time limit; the oldest, submit") ?? false)
        tracker.end(token)
        XCTAssertTrue(monitor.allSignals(now: clock.now).allSatisfy { $0.plugin != "hang" })
    }

    func testExhaustedRunnerSlotsNameThePluginsHoldingThem() {
        let clock = Clock()
        let tracker = PluginCallTracker(clock: { clock.now })
        let slots = RunnerSlots(capacity: 2, tracker: tracker)
        let monitor = PluginHealthMonitor(tracker: tracker)
        monitor.register("runner", slots)
        slots.take()
        _ = tracker.begin(plugin: "hang", function: "submit")
        XCTAssertEqual(monitor.allSignals(now: clock.now), [], "a free slot is not a problem")
        slots.take()
        _ = tracker.begin(plugin: "hang", function: "submit")
        let signals = monitor.allSignals(now: clock.now)
        XCTAssertEqual(signals.map(\.kind), [.slotsExhausted])
        XCTAssertEqual(signals.first?.plugin, "hang")
        XCTAssertTrue(signals.first?.message.contains("all 2 runner slots are in use") ?? false)
        XCTAssertTrue(signals.first?.message.contains("plugin hang holds 2 call(s) in flight (submit ×2)") ?? false, signals.first?.message ?? "")
        slots.give()
        XCTAssertEqual(monitor.allSignals(now: clock.now), [])
    }

    func testAFaultIsReportedUntilANewBuildLoadsOrItAges() {
        let clock = Clock()
        let monitor = PluginHealthMonitor(tracker: PluginCallTracker(clock: { clock.now }), faultMemory: 60)
        monitor.recordFault(plugin: "bad", message: "poll returned malformed JSON (12 bytes)", at: clock.now)
        XCTAssertEqual(monitor.allSignals(now: clock.now).map(\.message), ["plugin bad: poll returned malformed JSON (12 bytes)"])
        clock.advance(61)
        XCTAssertEqual(monitor.allSignals(now: clock.now), [])
        monitor.recordFault(plugin: "bad", message: "again", at: clock.now)
        monitor.clearFaults(plugin: "bad")
        XCTAssertEqual(monitor.allSignals(now: clock.now), [])
    }

    func testPollResultCheckRefusesWhatTheABIForbids() {
        func problem(_ json: String, outputs: Int = 1) -> String? {
            PollResultCheck.problem(JSONValue.parse(Array(json.utf8))!, expectedOutputs: outputs)
        }
        XCTAssertNil(problem(#"{"schema":1,"state":"succeeded","outputs":[{"index":0,"mime":"image/png"}],"progress":1}"#))
        XCTAssertNil(problem(#"{"state":"running","progress":null,"cost_usd":null}"#))
        XCTAssertEqual(problem(#"{"schema":1}"#), "no \"state\"")
        XCTAssertTrue(problem(#"{"schema":2,"state":"running"}"#)?.contains("schema") ?? false)
        XCTAssertTrue(problem(#"{"state":"done"}"#)?.hasPrefix("unknown \"state\" \"done\"") ?? false)
        XCTAssertTrue(problem(#"{"state":"running","progress":"half"}"#)?.contains("\"progress\"") ?? false)
        XCTAssertTrue(problem(#"{"state":"succeeded","cost_usd":-1}"#)?.contains("cost_usd") ?? false)
        XCTAssertTrue(problem(#"{"state":"succeeded","outputs":[{"index":0},{"index":1}]}"#)?.contains("lists 2 outputs for a job of 1") ?? false)
        XCTAssertTrue(problem(#"{"state":"succeeded","outputs":[{"index":3}]}"#, outputs: 2)?.contains("0..<2") ?? false)
        XCTAssertTrue(problem(#"{"state":"succeeded","outputs":[{"index":1},{"index":1}]}"#, outputs: 2)?.contains("twice") ?? false)
    }
}
