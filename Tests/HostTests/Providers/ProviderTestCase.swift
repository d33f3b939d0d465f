import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// Base for the provider tests: an emulator shared by the tests of a class (started once —
/// Python takes a few hundred ms to start on a busy machine — and reset before each test),
/// plugin harnesses made against it, and after every test the check that no key reached a
/// log line.
class ProviderTestCase: XCTestCase {
    // Touched only from XCTest's one test thread (setUp, tests, tearDown run serially).
    nonisolated(unsafe) private static var running: [String: EmulatorProcess] = [:]

    var emulator: EmulatorProcess!
    private var harnesses: [ProviderHarness] = []
    /// Every key the tests hand out starts with this, so a leak is easy to spot.
    static let tokenPrefix = "test-token-"

    func startEmulator(_ name: String, token: String, arguments: [String] = []) throws {
        emulator = try sharedEmulator(name, token: token, arguments: arguments)
    }

    /// A running emulator for these arguments, reset, or a new one.
    func sharedEmulator(_ name: String, token: String, arguments: [String] = []) throws -> EmulatorProcess {
        let key = ([name, token] + arguments).joined(separator: " ")
        if let existing = Self.running[key], existing.isRunning, (try? existing.reset()) != nil {
            return existing
        }
        let started = try EmulatorProcess(name, token: token, arguments: arguments)
        Self.running[key] = started
        return started
    }

    override class func tearDown() {
        for e in running.values { e.stop() }
        running = [:]
        super.tearDown()
    }

    func harness(_ plugin: String, config: [String: JSONValue] = [:], secrets: [String: String],
                 clock: TestClock = TestClock(), runner: String? = PluginRunnerLocation.executable) throws -> ProviderHarness {
        var section = config
        if section["base_url"] == nil { section["base_url"] = .string(emulator.baseURL + defaultBasePath) }
        let h = try ProviderHarness(plugin: plugin, config: section, secrets: secrets, clock: clock, runner: runner)
        harnesses.append(h)
        return h
    }

    /// Appended to the emulator's address to make the provider's base_url ("/v1" for Replicate).
    var defaultBasePath: String { "" }

    override func tearDown() {
        for h in harnesses {
            for line in h.lines.lines {
                XCTAssertFalse(line.contains(Self.tokenPrefix), "a key reached the log: \(line)")
            }
        }
        harnesses = []
        emulator = nil
        super.tearDown()
    }
}
