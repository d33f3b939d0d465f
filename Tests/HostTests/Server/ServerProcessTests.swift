import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// `imagegen serve` as a process: signals, restart, the runner lock, and the commands that
/// talk to it.
final class ServerProcessTests: XCTestCase {
    /// A running `imagegen serve` child on a kernel-chosen loopback port.
    final class ServeProcess: @unchecked Sendable {
        let process = Process()
        let output = LineCollector()
        private(set) var port = 0

        init(_ host: TestHost, extra: [String] = [], environment: [String: String] = [:]) throws {
            process.executableURL = URL(fileURLWithPath: TestEnvironment.buildDirectory + "/imagegen")
            process.arguments = ["serve", "--listen", "127.0.0.1:0", "--config", host.paths.config!, "--plugins", host.paths.plugins,
                                 "--data", host.paths.data] + extra
            var env = ProcessInfo.processInfo.environment
            env["IMAGEGEN_API_TOKEN"] = nil
            for (k, v) in environment { env[k] = v }
            process.environment = env
            let pipe = Pipe()
            process.standardError = pipe
            process.standardOutput = FileHandle.nullDevice
            let output = self.output
            // A read may end mid-line (a loaded machine hands over whatever is there): keep the
            // unfinished tail until its newline arrives, so every collected line is whole.
            let pending = PendingBytes()
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                guard !data.isEmpty else {
                    handle.readabilityHandler = nil
                    if let rest = pending.take(), !rest.isEmpty { output.append(String(decoding: rest, as: UTF8.self)) }
                    return
                }
                for line in pending.lines(adding: data) { output.append(String(decoding: line, as: UTF8.self)) }
            }
            try process.run()
        }

        /// Waits for the "listening on" line (or the process's end).
        func waitUntilListening() async throws {
            let end = Date().addingTimeInterval(20)
            while Date() < end {
                if let line = output.lines.first(where: { $0.contains("imagegen serve: listening on 127.0.0.1:") }),
                   let text = line.split(separator: "127.0.0.1:").last?.split(separator: ";").first, let p = Int(text) {
                    port = p
                    return
                }
                if !process.isRunning { break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            throw XCTSkip("imagegen serve did not start: \(output.lines.joined(separator: "\n"))")
        }

        func waitForExit() async -> Int32 {
            let end = Date().addingTimeInterval(30)
            while process.isRunning && Date() < end { try? await Task.sleep(nanoseconds: 20_000_000) }
            if process.isRunning { process.interrupt(); kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }

        var client: ServerTestClient { ServerTestClient(port: port) }
    }

    func testSIGTERMMidJobParksItAndTheNextStartCompletesIt() async throws {
        let host = try TestHost(label: "srv-sigterm", config: "{}")
        let submits = host.root + "/submits.log"
        try """
            { providers: { preview: { latency_ms: 2500, submit_log: "\(submits)" } }, server: { shutdown_grace_seconds: 0.3 } }
            """.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        let first = try ServeProcess(host)
        try await first.waitUntilListening()
        try await Task.sleep(nanoseconds: 700_000_000) // the plugin file settles and loads
        let r = try await first.client.generate(["prompt": "a slow teapot", "parameters": ["width": 64, "height": 64]])
        XCTAssertEqual(r.status, 202, r.text)
        let id = try XCTUnwrap(r.json?["jobs"]?[0]?["id"]?.string)
        let end = Date().addingTimeInterval(10)
        while Date() < end, try await first.client.get("/v1/jobs/\(id)").json?["state"]?.string == "queued" {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTAssertEqual(ServerTestHarness.submitLog(submits), [id], "the job reached the provider before the signal")

        first.process.terminate() // SIGTERM
        let status = await first.waitForExit()
        XCTAssertEqual(first.process.terminationReason, .exit, "ended by itself, not killed by the signal")
        XCTAssertEqual(status, 0, first.output.lines.joined(separator: "\n"))
        XCTAssertTrue(first.output.lines.contains { $0.contains("SIGTERM received: shutting down") })
        XCTAssertTrue(first.output.lines.contains { $0.contains("1 unfinished job(s) resume on the next start") },
                      first.output.lines.joined(separator: "\n"))
        let parked = try host.catalog().job(id)
        XCTAssertFalse(parked?.state.isTerminal ?? true, "parked in its committed state: \(String(describing: parked?.state))")

        let second = try ServeProcess(host)
        try await second.waitUntilListening()
        var state: String?
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            state = try await second.client.get("/v1/jobs/\(id)").json?["state"]?.string
            if state == "succeeded" || state == "failed" { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTAssertEqual(state, "succeeded", second.output.lines.joined(separator: "\n"))
        XCTAssertEqual(ServerTestHarness.submitLog(submits), [id], "resumed by polling, never submitted (or paid) twice")
        XCTAssertTrue(second.output.lines.contains { $0.contains("resuming \(id)") })

        kill(second.process.processIdentifier, SIGINT)
        let status2 = await second.waitForExit()
        XCTAssertEqual(status2, 0)
    }

    func testHealthAndReloadTalkToTheRunningServerAndSayWhenNoneRuns() async throws {
        let host = try TestHost(label: "srv-cli")
        let serve = try ServeProcess(host)
        try await serve.waitUntilListening()
        let listen = "127.0.0.1:\(serve.port)"
        try await Task.sleep(nanoseconds: 700_000_000)

        let health = try host.cli(["health", "--json", "--listen", listen])
        XCTAssertEqual(health.status, 0, health.stderr)
        let report = JSONValue.parse(Array(health.stdout.utf8))
        XCTAssertEqual(report?["status"]?.string, "ok")
        XCTAssertEqual(report?["candidates"]?[0]?["candidate"]?.string, "preview/preview-1")
        let table = try host.cli(["health", "--listen", listen])
        XCTAssertTrue(table.stdout.contains("preview/preview-1"), table.stdout)

        // A second server on the same data folder refuses to start.
        let rival = try host.cli(["serve", "--listen", "127.0.0.1:0"])
        XCTAssertEqual(rival.status, 1)
        XCTAssertTrue(rival.stderr.contains("another imagegen process already runs the jobs"), rival.stderr)

        // Reload picks up a new file at once.
        let build = TestEnvironment.temporaryDirectory("srv-cli-build")
        let b = try TestHost.compilePreviewVariant(id: "preview-b", into: build)
        try FileManager.default.copyItem(atPath: b, toPath: host.paths.plugins + "/.libpreview-b.so.tmp")
        try FileManager.default.moveItem(atPath: host.paths.plugins + "/.libpreview-b.so.tmp", toPath: host.paths.plugins + "/libpreview-b.so")
        try await Task.sleep(nanoseconds: 600_000_000) // older than the settle time
        let reload = try host.cli(["plugins", "reload", "--listen", listen])
        XCTAssertEqual(reload.status, 0, reload.stderr)
        XCTAssertTrue(reload.stdout.contains("libpreview-b.so") || reload.stdout.contains("no change"), reload.stdout)
        let plugins = try await serve.client.get("/v1/plugins").json?["plugins"]?.array ?? []
        XCTAssertTrue(plugins.contains { $0["id"]?.string == "preview-b" })

        serve.process.terminate()
        _ = await serve.waitForExit()
        let none = try host.cli(["health", "--listen", listen])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no imagegen server is running"), none.stderr)
        let noReload = try host.cli(["plugins", "reload", "--listen", listen])
        XCTAssertEqual(noReload.status, 1)
    }

    /// `serve` on a port nobody told the client: `health`, `plugins` and `plugins reload` find it
    /// through the address it recorded in the data folder; the record goes when it stops.
    func testClientCommandsFindTheServerOfTheirDataFolderWithoutListen() async throws {
        let host = try TestHost(label: "srv-find")
        let serve = try ServeProcess(host)
        try await serve.waitUntilListening()
        let record = host.paths.data + "/server.address"
        XCTAssertTrue(FileManager.default.fileExists(atPath: record))
        try await Task.sleep(nanoseconds: 700_000_000)

        let health = try host.cli(["health", "--json"])
        XCTAssertEqual(health.status, 0, health.stderr)
        XCTAssertEqual(JSONValue.parse(Array(health.stdout.utf8))?["status"]?.string, "ok")
        let reload = try host.cli(["plugins", "reload"])
        XCTAssertEqual(reload.status, 0, reload.stderr)
        // plugins --listen asks that server and opens no data folder of its own.
        let elsewhere = TestEnvironment.temporaryDirectory("srv-find-cwd")
        let listed = try host.cli(["plugins", "--json", "--listen", "127.0.0.1:\(serve.port)"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("\"preview\""), listed.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: elsewhere + "/data"))

        serve.process.terminate()
        _ = await serve.waitForExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: record), "a clean stop removes the record")
        let none = try host.cli(["health"])
        XCTAssertEqual(none.status, 1)
    }

    /// A record left by a killed server is ignored: its pid is gone.
    func testAnAddressLeftByAKilledServerIsIgnored() throws {
        let host = try TestHost(label: "srv-stale")
        try FileManager.default.createDirectory(atPath: host.paths.data, withIntermediateDirectories: true)
        try Data(#"{"listen":"127.0.0.1:1","pid":2147483000}"#.utf8).write(to: URL(fileURLWithPath: host.paths.data + "/server.address"))
        let health = try host.cli(["health"])
        XCTAssertEqual(health.status, 1)
        XCTAssertFalse(health.stderr.contains("127.0.0.1:1 "), health.stderr)
    }
}

/// Bytes read from a pipe that do not end a line yet.
final class PendingBytes: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()

    /// The whole lines now available (without their newline); the rest is kept.
    func lines(adding data: Data) -> [Data] {
        lock.withLock {
            buffer.append(data)
            var lines: [Data] = []
            while let newline = buffer.firstIndex(of: 0x0A) {
                lines.append(buffer[buffer.startIndex..<newline])
                buffer = Data(buffer[buffer.index(after: newline)...])
            }
            return lines
        }
    }

    func take() -> Data? { lock.withLock { defer { buffer = Data() }; return buffer } }
}
