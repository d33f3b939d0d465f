import Foundation
import XCTest

/// Two `imagegen serve` processes on one PostgreSQL catalog: exactly one runs the singletons
/// (scheduler, alert evaluation, backups, upload sweeps); killed with SIGKILL, the other takes
/// them over.
final class SingletonTakeoverTests: XCTestCase {
    typealias ServeProcess = ServerProcessTests.ServeProcess
    static let holderLine = "this host runs the singletons"

    func testTheSingletonsMoveToTheOtherHostWhenTheirHostIsKilled() async throws {
        let url = try PostgresTestServer.running().makeDatabase()
        // Alerts evaluated every second: the standby asks for the lock that often.
        let config = "{ alerts: { evaluate_every_seconds: 1, file: false } }"
        let hosts = try (0..<2).map { try TestHost(label: "singleton-\($0)", config: config) }
        let serves = try hosts.enumerated().map { i, host in
            try ServeProcess(host, environment: ["IMAGEGEN_CATALOG_URL": url, "IMAGEGEN_HOST_NAME": "host-\(i)"])
        }
        defer {
            for serve in serves where serve.process.isRunning { kill(serve.process.processIdentifier, SIGKILL) }
            for host in hosts { try? FileManager.default.removeItem(atPath: host.root) }  // try?: a leftover temp folder fails nothing
        }
        for serve in serves { try await serve.waitUntilListening() }

        func holders() -> [Int] { serves.indices.filter { serves[$0].output.lines.contains { $0.contains(Self.holderLine) } } }
        var deadline = Date().addingTimeInterval(20)
        while holders().isEmpty && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        // Several evaluation rounds of both hosts pass: still one holder.
        try await Task.sleep(nanoseconds: 3_000_000_000)
        let first = holders()
        XCTAssertEqual(first.count, 1, "exactly one host runs the singletons: \(serves.map { $0.output.lines.suffix(5) })")
        let holder = try XCTUnwrap(first.first)
        let standby = 1 - holder

        kill(serves[holder].process.processIdentifier, SIGKILL)
        _ = await serves[holder].waitForExit()
        deadline = Date().addingTimeInterval(30)
        while !holders().contains(standby) && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        XCTAssertTrue(holders().contains(standby), "the standby did not take over: \(serves[standby].output.lines.suffix(10))")
        serves[standby].process.terminate()
        _ = await serves[standby].waitForExit()
    }
}
