import Foundation
import Glibc
import ImagegenJSON
import XCTest
@testable import ImagegenCore
@testable import PluginHost

/// The supervisor's bookkeeping of its children, driven straight through a `PluginSet`: what a
/// child inherits from the host, and how its deaths are counted.
final class RunnerChildTests: IsolationTestCase {
    func pluginSet(_ files: [String: String], config: [String: JSONValue] = [:]) throws -> PluginSet {
        let folder = scratch + "/plugins"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, path) in files { try FileManager.default.copyItem(atPath: path, toPath: folder + "/" + name) }
        let (log, _) = TestEnvironment.capturingLog()
        return PluginSet(directory: folder, loader: PluginLoader(log: log, secrets: EnvironmentSecrets(environment: [:]),
                                                                 providerConfig: config, runner: IsolationFixtures.runner),
                         log: log, providerConfig: config)
    }

    /// A child spawned from a thread that blocks every signal (as dispatch and concurrency
    /// threads do) starts with none blocked, so SIGTERM stops it.
    func testAChildSpawnedWithEverySignalBlockedStartsWithAnEmptyMaskAndStopsOnSIGTERM() async throws {
        let set = try pluginSet(["preview.so": try TestEnvironment.pluginLibrary("preview")])
        let loaded = DispatchSemaphore(value: 0)
        let thread = Thread {
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_BLOCK, &all, nil)
            set.rescan()
            loaded.signal()
        }
        thread.start()
        loaded.wait()
        let generation = try XCTUnwrap(set.generation(forPlugin: "preview"))
        XCTAssertEqual(generation.runStatus.isolation, "process")
        let pid = try XCTUnwrap(generation.runStatus.pid)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func mask(_ field: String) -> UInt64? {
            status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
                .flatMap { UInt64($0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
        }
        XCTAssertEqual(mask("SigBlk"), 0, "no signal blocked in the child")
        let ignored = try XCTUnwrap(mask("SigIgn"))
        for s in [SIGTERM, SIGINT, SIGHUP, SIGXCPU] {
            XCTAssertEqual(ignored & (1 << UInt64(s - 1)), 0, "signal \(s) has its default action in the child")
        }
        kill(pid, SIGTERM)
        try await eventually("SIGTERM ends the child") { generation.runStatus.lastFailure?.contains("SIGTERM") == true }
        set.shutdown()
    }

    /// Many callers see each child die (their calls were in flight, or they come back at once
    /// and find it dead before its reader reported): each death counts once, never twice, and
    /// none is lost to a caller that restarted the child first.
    func testEveryChildDeathCountsExactlyOnceWhateverTheNumberOfCallersSeeingIt() async throws {
        // The callers come back, and one restarts the child, before the reader reports the death
        // (as on a busy machine).
        RunnerProcess.exitReportDelayMicroseconds.store(1_500_000, ordering: .relaxed)
        defer { RunnerProcess.exitReportDelayMicroseconds.store(0, ordering: .relaxed) }
        let faulty = try IsolationFixtures.faulty(["MISBEHAVE_SEGV_POLL"], into: scratch)
        let set = try pluginSet(["faulty.so": faulty], config: ["faulty": ["quarantine_after": 1000]])
        set.rescan()
        let instance = try set.instance(forPlugin: "faulty")
        let generation = try XCTUnwrap(set.generation(forPlugin: "faulty"))
        let deadline = Date().addingTimeInterval(60)
        let callers = DispatchGroup()
        for _ in 0..<8 {
            DispatchQueue.global().async(group: callers) {
                while generation.runStatus.totalCrashes < 6 && Date() < deadline {
                    _ = try? instance.poll(["id": "x"])  // try?: every poll crashes its child; only the counts matter
                    usleep(200)
                }
            }
        }
        callers.wait()
        // The last child may still be starting or alive; every other one died exactly once.
        try await eventually("the counts settle") {
            let s = generation.runStatus
            return s.totalCrashes == s.starts - (s.pid == nil ? 0 : 1)
        }
        let s = generation.runStatus
        XCTAssertGreaterThanOrEqual(s.totalCrashes, 6)
        XCTAssertEqual(s.totalCrashes, s.starts - (s.pid == nil ? 0 : 1), "deaths counted vs children started: \(s)")
        XCTAssertEqual(s.consecutiveCrashes, s.totalCrashes, "no call succeeded in between: \(s)")
        set.shutdown()
    }
}
