import Foundation
import ImagegenJSON
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A provider emulator (`Tests/Emulators/<name>_emulator.py`) running as a subprocess on
/// 127.0.0.1: started on a port the OS picks, waited for (bounded) until it answers, driven
/// through its `/__emulator/` control API, and stopped when the test ends.
final class EmulatorProcess: @unchecked Sendable {
    let name: String
    let port: Int
    let token: String
    private let process: Process
    private let scratch: String

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `Tests/Emulators/<name>_emulator.py`, accepting `token` as the API key.
    init(_ name: String, token: String, arguments: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        self.name = name
        self.token = token
        scratch = TestEnvironment.temporaryDirectory("emu-\(name)")
        let portFile = scratch + "/port"
        let script = TestEnvironment.repositoryRoot + "/Tests/Emulators/\(name)_emulator.py"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-B", script, "--port", "0", "--port-file", portFile, "--token", token,
                             "--parent-pid", String(ProcessInfo.processInfo.processIdentifier)] + arguments
        let output = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = output
        _ = FileManager.default.createFile(atPath: scratch + "/stderr", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: scratch + "/stderr")
        try process.run()

        // Bounded wait for the port file, then for the server to answer.
        var found: Int?
        let end = Date().addingTimeInterval(10)
        while found == nil, Date() < end, process.isRunning {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let p = Int(text) { found = p } else { usleep(20_000) }
        }
        guard let port = found else {
            let stderr = (try? String(contentsOfFile: scratch + "/stderr", encoding: .utf8)) ?? ""
            process.terminate()
            throw EmulatorFailure(message: "\(name) emulator did not start within 10 s: \(stderr)")
        }
        self.port = port
        while Date() < end {
            if (try? control("GET", "requests")) != nil { return }
            usleep(20_000)
        }
        stop()
        throw EmulatorFailure(message: "\(name) emulator on port \(port) does not answer")
    }

    deinit { stop() }

    var isRunning: Bool { process.isRunning }

    /// Forgets jobs, scenarios, the request log and events: a clean emulator for the next test.
    func reset() throws { try control("POST", "reset") }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Injects a fault or a standing behaviour (see the emulator's docstring for modes).
    func scenario(_ scenario: JSONValue) throws {
        _ = try control("POST", "scenario", body: scenario)
    }

    /// The requests the emulator received (control calls excluded).
    func requests() throws -> [JSONValue] { try control("GET", "requests").array ?? [] }

    func requests(kind: String) throws -> [JSONValue] { try requests().filter { $0["kind"]?.string == kind } }

    /// Cancels received, clients that hung up, connections dropped.
    func events() throws -> [JSONValue] { try control("GET", "events").array ?? [] }

    func events(named event: String) throws -> [JSONValue] { try events().filter { $0["event"]?.string == event } }

    @discardableResult
    func control(_ method: String, _ path: String, body: JSONValue? = nil) throws -> JSONValue {
        var request = URLRequest(url: URL(string: "\(baseURL)/__emulator/\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 5
        if let body { request.httpBody = body.encoded() }
        final class Box: @unchecked Sendable { var data: Data?; var error: (any Error)? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, error in
            box.data = data
            box.error = error
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 6) == .success, let data = box.data, let value = JSONValue.parse(data) else {
            throw EmulatorFailure(message: "\(name) emulator control \(path) failed: \(String(describing: box.error))")
        }
        return value
    }
}

struct EmulatorFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
