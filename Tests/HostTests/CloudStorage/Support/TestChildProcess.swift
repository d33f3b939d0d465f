import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started by a test (moto, the fault proxy), with output going to a log file that is
/// shown when start-up fails.
///
/// Stopping uses SIGKILL: a child spawned from the XCTest process inherits a signal mask in which
/// SIGTERM is blocked (measured: `SigBlk` in /proc/<pid>/status), so `terminate()` would only take
/// effect after a timeout. These servers hold no state worth a graceful shutdown.
final class TestChildProcess {
    let process = Process()
    let logPath: String

    init(arguments: [String], environment: [String: String] = [:], name: String) throws {
        logPath = NSTemporaryDirectory() + "imagegen-\(name)-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [Self.python] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// The interpreter with moto installed (`IMAGEGEN_TEST_PYTHON` overrides).
    static var python: String { ProcessInfo.processInfo.environment["IMAGEGEN_TEST_PYTHON"] ?? "python3" }

    var logTail: String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(2000))
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
