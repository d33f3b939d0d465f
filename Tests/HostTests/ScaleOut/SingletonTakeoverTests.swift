import Foundation
import ImagegenJSON
import XCTest

/// Two `imagegen serve` processes on one PostgreSQL catalog: exactly one runs the singletons
/// (scheduler, alert evaluation, backups, upload sweeps, retention); killed with SIGKILL, the other takes
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

        // Both hosts list both, with the same singleton holder (after the heartbeats caught up).
        func listed(on serve: ServeProcess) async throws -> [String: Bool] {
            let hosts = try await serve.client.get("/v1/hosts").json?["hosts"]?.array ?? []
            return Dictionary(uniqueKeysWithValues: hosts.compactMap { h in
                h["name"]?.string.map { ($0, h["runs_singletons"]?.bool ?? false) }
            })
        }
        let names = serves.indices.map { "host-\($0):\(serves[$0].process.processIdentifier)" }
        deadline = Date().addingTimeInterval(20)
        var seen: [String: Bool] = [:]
        repeat {
            seen = try await listed(on: serves[standby])
            if seen == [names[holder]: true, names[standby]: false] { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        } while Date() < deadline
        XCTAssertEqual(seen, [names[holder]: true, names[standby]: false], "GET /v1/hosts on the standby")
        let fromHolder = try await listed(on: serves[holder])
        XCTAssertEqual(fromHolder, seen, "every host sees the same hosts")

        kill(serves[holder].process.processIdentifier, SIGKILL)
        _ = await serves[holder].waitForExit()
        deadline = Date().addingTimeInterval(30)
        while !holders().contains(standby) && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        XCTAssertTrue(holders().contains(standby), "the standby did not take over: \(serves[standby].output.lines.suffix(10))")

        // `imagegen hosts` reads the catalog: once the killed host's heartbeat is 3 s old, only
        // the standby is live, and it runs the singletons.
        deadline = Date().addingTimeInterval(30)
        var live: [JSONValue] = []
        repeat {
            try await Task.sleep(nanoseconds: 500_000_000)
            let out = try hosts[standby].cli(["hosts", "--within", "3", "--json"], environment: ["IMAGEGEN_CATALOG_URL": url])
            XCTAssertEqual(out.status, 0, out.stderr)
            live = JSONValue.parse(Array(out.stdout.utf8))?.array ?? []
        } while (live.count != 1 || live.first?["runs_singletons"]?.bool != true) && Date() < deadline
        XCTAssertEqual(live.map { $0["name"]?.string }, [names[standby]], "imagegen hosts after the kill")
        XCTAssertEqual(live.first?["runs_singletons"]?.bool, true)
        serves[standby].process.terminate()
        _ = await serves[standby].waitForExit()
    }
}
