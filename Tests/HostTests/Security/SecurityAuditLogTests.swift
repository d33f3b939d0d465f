import XCTest
import Synchronization
@testable import Host
@testable import Crypto
@testable import Security

final class SecurityAuditLogTests: XCTestCase {
    private var directory: URL!
    private var path: String { directory.appendingPathComponent("audit.log").path }
    private var ring: KeyRing!

    override func setUpWithError() throws {
        directory = try SecurityTestSupport.makeTemporaryDirectory()
        ring = try KeyRing(current: SecurityTestSupport.key(SecurityTestSupport.hexKeyA))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A clock that advances one second per reading, starting 2026-03-01T00:00:00Z.
    private func steppingClock() -> @Sendable () -> Date {
        let tick = Mutex(0)
        return { Date(timeIntervalSince1970: 1_772_323_200 + Double(tick.withLock { t in t += 1; return t })) }
    }

    private func writeLog(entries: Int) throws -> AuditLog {
        let log = try AuditLog(path: path, keyRing: ring, now: steppingClock())
        let actions: [AuditAction] = [.generation, .pluginLoad, .policyRefusal, .apiCall, .budgetChange]
        for i in 1...entries {
            try log.append(principal: "token:ci", action: actions[i % actions.count], subject: "job_\(i)",
                           details: ["n": String(i), "model": "preview/1"])
        }
        return log
    }

    private func lines() throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    private func rewrite(_ lines: [String]) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func violation() throws -> AuditViolation? {
        if case .broken(let violation) = try AuditLogReader(path: path).verify(keyRing: ring) { return violation }
        return nil
    }

    func testIntactLogVerifiesAndChains() throws {
        _ = try writeLog(entries: 5)
        XCTAssertEqual(try AuditLogReader(path: path).verify(keyRing: ring).isIntact, true)
        let entries = try AuditLogReader(path: path).entries().entries
        XCTAssertEqual(entries.map(\.seq), [1, 2, 3, 4, 5])
        XCTAssertEqual(entries[0].prevHash, AuditDigest.genesis)
        XCTAssertEqual(entries[1].prevHash, AuditDigest.lineHash(Array(try lines()[0].utf8)))
        XCTAssertEqual(entries[0].time, "2026-03-01T00:00:01.000Z")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? Int).map { $0 & 0o777 }, 0o600)
    }

    func testEditedEntryIsNamed() throws {
        _ = try writeLog(entries: 5)
        var lines = try lines()
        lines[2] = lines[2].replacingOccurrences(of: "job_3", with: "job_X")
        try rewrite(lines)
        let violation = try XCTUnwrap(violation())
        XCTAssertEqual(violation.line, 3)
        XCTAssertEqual(violation.seq, 3)
        XCTAssertEqual(violation.problem, .macMismatch)
        XCTAssertTrue(violation.description.contains("edited"))
    }

    func testFlippedByteInMACOrGarbledLineFails() throws {
        _ = try writeLog(entries: 3)
        var lines = try lines()
        let macStart = try XCTUnwrap(lines[1].range(of: "\"mac\":\""))
        let first = lines[1][macStart.upperBound]
        lines[1].replaceSubrange(macStart.upperBound...macStart.upperBound, with: first == "0" ? "1" : "0")
        try rewrite(lines)
        XCTAssertEqual(try violation()?.problem, .macMismatch)
        lines = try self.lines()
        lines[1] = "{not json"
        try rewrite(lines)
        let violation = try XCTUnwrap(violation())
        XCTAssertEqual(violation.line, 2)
        guard case .unparseable = violation.problem else { return XCTFail("\(violation)") }
    }

    func testDeletedEntryIsNamed() throws {
        _ = try writeLog(entries: 5)
        var lines = try lines()
        lines.remove(at: 1)
        try rewrite(lines)
        let violation = try XCTUnwrap(violation())
        XCTAssertEqual(violation.line, 2)
        XCTAssertEqual(violation.seq, 3)
        XCTAssertEqual(violation.problem, .sequenceMismatch(expected: 2, found: 3))
        XCTAssertTrue(violation.description.contains("deleted"), violation.description)
    }

    func testDeletedFirstEntryIsNamed() throws {
        _ = try writeLog(entries: 3)
        try rewrite(Array(try lines().dropFirst()))
        XCTAssertEqual(try violation(), AuditViolation(line: 1, seq: 2, problem: .sequenceMismatch(expected: 1, found: 2)))
    }

    func testReorderedEntriesAreNamed() throws {
        _ = try writeLog(entries: 5)
        var lines = try lines()
        lines.swapAt(2, 3)
        try rewrite(lines)
        XCTAssertEqual(try violation(), AuditViolation(line: 3, seq: 4, problem: .sequenceMismatch(expected: 3, found: 4)))
    }

    func testEntryFromAnotherLogIsDetectedByTheChain() throws {
        // Same key, same seq, valid MAC, but from a different history: only prev_hash exposes it.
        _ = try writeLog(entries: 3)
        let original = try lines()
        try FileManager.default.removeItem(atPath: path)
        let other = try AuditLog(path: path, keyRing: ring, now: steppingClock())
        for i in 1...3 { try other.append(principal: "cli:mallory", action: .apiCall, subject: "other_\(i)") }
        var spliced = original
        spliced[1] = try lines()[1]
        try rewrite(spliced)
        XCTAssertEqual(try violation(), AuditViolation(line: 2, seq: 2, problem: .chainBroken))
    }

    func testTruncatedTailIsDetectedAgainstARecordedHead() throws {
        let log = try writeLog(entries: 4)
        let head = try XCTUnwrap(try log.head())
        XCTAssertEqual(head.seq, 4)
        try rewrite(Array(try lines().dropLast()))
        // The chain alone cannot see a cut-off tail…
        XCTAssertTrue(try AuditLogReader(path: path).verify(keyRing: ring).isIntact)
        // …a head recorded elsewhere can.
        guard case .broken(let violation) = try AuditLogReader(path: path).verify(keyRing: ring, expectedHead: head) else {
            return XCTFail("truncation not detected")
        }
        XCTAssertEqual(violation.problem, .truncated(expectedLastSeq: 4, foundLastSeq: 3))
    }

    func testWrongKeyCannotVerify() throws {
        _ = try writeLog(entries: 2)
        let other = try KeyRing(current: SecurityTestSupport.key(SecurityTestSupport.hexKeyB))
        guard case .broken(let violation) = try AuditLogReader(path: path).verify(keyRing: other) else {
            return XCTFail("verified with the wrong key")
        }
        XCTAssertEqual(violation.problem, .unknownKey(ring.current.id))
    }

    func testReopenContinuesChainAndRotationKeepsOldEntriesVerifiable() throws {
        _ = try writeLog(entries: 2)
        let rotated = try KeyRing(current: SecurityTestSupport.key(SecurityTestSupport.hexKeyB),
                                  previous: [SecurityTestSupport.key(SecurityTestSupport.hexKeyA)])
        let reopened = try AuditLog(path: path, keyRing: rotated, now: steppingClock())
        let entry = try reopened.append(principal: "cli:ops", action: .keyRotation, subject: rotated.current.id.rawValue)
        XCTAssertEqual(entry.seq, 3)
        XCTAssertEqual(entry.key, rotated.current.id)
        XCTAssertTrue(try AuditLogReader(path: path).verify(keyRing: rotated).isIntact)
    }

    func testTornLastLineIsReportedThenRecoveredOnOpen() throws {
        _ = try writeLog(entries: 3)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"seq":4,"time":"2026-"#.utf8))
        try handle.close()
        XCTAssertEqual(try violation(), AuditViolation(line: 4, seq: nil, problem: .tornLastLine))

        let log = try AuditLog(path: path, keyRing: ring, now: steppingClock())
        let next = try log.append(principal: "system:test", action: .generation, subject: "job_5")
        XCTAssertEqual(next.seq, 5)
        let entries = try AuditLogReader(path: path).entries().entries
        XCTAssertEqual(entries[3].action, .auditRecovery)
        XCTAssertEqual(entries[3].details["dropped_bytes"], "22")
        XCTAssertTrue(try AuditLogReader(path: path).verify(keyRing: ring).isIntact)
    }

    func testConcurrentAppendersFromTwoLogObjectsKeepOneChain() async throws {
        let first = try AuditLog(path: path, keyRing: ring)
        let second = try AuditLog(path: path, keyRing: ring)  // stands in for another process
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 {
                let log = i.isMultiple(of: 2) ? first : second
                group.addTask { try log.append(principal: "token:t\(i % 3)", action: .apiCall, subject: "GET /v1/images/\(i)") }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(try AuditLogReader(path: path).verify(keyRing: ring), .intact(entries: 40, lastSeq: 40, lastMAC: try first.head()?.mac))
    }

    func testListingFiltersBySinceAndAction() throws {
        _ = try writeLog(entries: 10)
        let reader = AuditLogReader(path: path)
        let since = Date(timeIntervalSince1970: 1_772_323_200 + 6)
        let recent = try reader.entries(since: since).entries
        XCTAssertEqual(recent.map(\.seq), [6, 7, 8, 9, 10])
        let refusals = try reader.entries(actions: [.policyRefusal]).entries
        XCTAssertEqual(refusals.map(\.seq), [2, 7])
        XCTAssertEqual(try reader.entries(since: Date(timeIntervalSince1970: 1_900_000_000)).entries.count, 0)
    }

    func testSecretsPassedByMistakeAreRedactedBeforeWriting() throws {
        let redactor = SecretRedactor(secrets: [("REPLICATE_API_TOKEN", "r8_FAKEtoken0123456789")])
        let log = try AuditLog(path: path, keyRing: ring, redactor: redactor, now: steppingClock())
        let entry = try log.append(principal: "token:r8_FAKEtoken0123456789", action: .apiCall, subject: "GET /v1",
                                   details: ["header": "Bearer r8_FAKEtoken0123456789"])
        XCTAssertEqual(entry.principal, "token:[REDACTED:REPLICATE_API_TOKEN]")
        XCTAssertEqual(entry.details["header"], "Bearer [REDACTED:REPLICATE_API_TOKEN]")
        XCTAssertFalse(try String(contentsOfFile: path, encoding: .utf8).contains("r8_FAKEtoken0123456789"))
        XCTAssertTrue(try AuditLogReader(path: path).verify(keyRing: ring).isIntact)
    }

    func testActionsCoverTheIssueList() {
        let names = Set(AuditAction.allCases.map(\.rawValue))
        for required in ["generation", "cancellation", "budget.change", "key.rotation", "plugin.load",
                         "plugin.refusal", "plugin.swap", "policy.refusal", "api.call"] {
            XCTAssertTrue(names.contains(required), required)
        }
    }
}
