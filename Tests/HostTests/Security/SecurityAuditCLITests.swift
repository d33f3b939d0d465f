import Foundation
import XCTest
@testable import Host
@testable import Security

/// The audit log as the CLI writes and checks it: what is recorded, by whom, never with a
/// prompt; and `imagegen audit verify` on an intact, an edited, a cut and a reordered log.
final class SecurityAuditCLITests: XCTestCase {
    func testEveryAuditedEventIsRecordedWithItsPrincipalAndNoPrompt() throws {
        let config = { (daily: Double) in """
            {
              models: { preview: { price: { per_image: 0.5 } } },
              budgets: { daily: \(daily) },
              providers: { preview: { filter_word: "forbiddenzebra" } },
              policy: { rules: [{ id: "brand.competitor", name: "Competitor brands", terms: ["acmecorp"] }] },
            }
            """ }
        let host = try TestHost(label: "sec-audit", config: config(0.6))
        try Data("not a shared object".utf8).write(to: URL(fileURLWithPath: host.paths.plugins + "/libbroken.so"))
        let size = ["--width", "64", "--height", "64"]
        try host.run(["generate", "--prompt", "a teal armchair"] + size)
        let budget = try host.run(["generate", "--prompt", "a second armchair"] + size, expect: 3)
        XCTAssertTrue(budget.stderr.contains("budget daily would be exceeded"), budget.stderr)
        try host.run(["generate", "--prompt", "an acmecorp poster"] + size, expect: 5)
        try FileManager.default.removeItem(atPath: host.paths.plugins + "/libbroken.so")
        try config(5).write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        try host.run(["generate", "--prompt", "a forbiddenzebra rug"] + size, expect: 5)
        let jobID = try XCTUnwrap(try host.rawCatalog().jobs(state: .succeeded, batch: nil, limit: 1).first?.id)
        try host.run(["jobs", "cancel", jobID])
        try host.run(["keys", "rotate"])

        let entries = try host.auditEntries()
        let actions = entries.map(\.action)
        for expected: AuditAction in [.pluginLoad, .pluginRefusal, .generation, .budgetRefusal, .policyRefusal, .budgetChange,
                                      .contentFiltered, .cancellation, .keyRotation] {
            XCTAssertTrue(actions.contains(expected), "no \(expected.rawValue) entry in \(actions.map(\.rawValue))")
        }
        let user = "cli:" + Caller.userName()
        XCTAssertEqual(entries.first { $0.action == .generation }?.principal, user)
        XCTAssertEqual(entries.first { $0.action == .cancellation }?.subject, jobID)
        XCTAssertEqual(entries.first { $0.action == .pluginLoad }?.principal, "system:plugins")
        XCTAssertEqual(entries.first { $0.action == .pluginRefusal }?.subject, "libbroken.so")
        XCTAssertEqual(entries.first { $0.action == .budgetRefusal }?.subject, "daily")
        XCTAssertEqual(entries.first { $0.action == .policyRefusal }?.details["rule"], "brand.competitor")
        let change = try XCTUnwrap(entries.last { $0.action == .budgetChange })
        XCTAssertTrue(change.details["old"]?.contains("0.6") ?? false, "\(change.details)")
        XCTAssertTrue(change.details["new"]?.contains("5") ?? false, "\(change.details)")
        XCTAssertEqual(entries.first { $0.action == .contentFiltered }?.details["plugin"], "preview")
        // The log is plaintext: it names rules and ids, never prompts.
        let log = try String(contentsOfFile: host.auditLogPath, encoding: .utf8)
        for word in ["armchair", "acmecorp", "forbiddenzebra"] { XCTAssertFalse(log.contains(word), "\(word) in the audit log") }
        // Listing filters.
        let filtered = try host.run(["audit", "--action", "policy.refusal,content.filtered", "--json"])
        let only = try JSONDecoder().decode([AuditEntry].self, from: Data(filtered.stdout.utf8))
        XCTAssertEqual(Set(only.map(\.action)), [.policyRefusal, .contentFiltered])
        let future = try host.run(["audit", "--since", "2999-01-01", "--json"])
        XCTAssertEqual(try JSONDecoder().decode([AuditEntry].self, from: Data(future.stdout.utf8)), [])
    }

    func testVerifyNamesTheFirstEditedDeletedOrReorderedEntry() throws {
        let host = try TestHost(label: "sec-audit-verify")
        for n in 1...3 { try host.run(["generate", "--prompt", "vase \(n)", "--width", "64", "--height", "64"]) }
        let intact = try host.run(["audit", "verify"])
        XCTAssertTrue(intact.stdout.contains("audit log intact"), intact.stdout)
        let original = try String(contentsOfFile: host.auditLogPath, encoding: .utf8)
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // the empty piece after the final newline
        XCTAssertGreaterThanOrEqual(lines.count, 4)
        let headLine = try XCTUnwrap(intact.stdout.split(separator: "\n").first { $0.hasPrefix("head: ") })
        let head = String(headLine.dropFirst(6).prefix { $0 != " " })

        func verify(_ text: String, extra: [String] = []) throws -> String {
            try text.write(toFile: host.auditLogPath, atomically: true, encoding: .utf8)
            return try host.run(["audit", "verify"] + extra, expect: 1).stderr
        }
        var edited = lines
        edited[1] = edited[1].replacingOccurrences(of: "\"subject\":\"", with: "\"subject\":\"x")
        XCTAssertTrue(try verify(edited.joined(separator: "\n") + "\n").contains("line 2 (seq 2): MAC does not match — the entry was edited"))

        var deleted = lines
        deleted.remove(at: 1)
        XCTAssertTrue(try verify(deleted.joined(separator: "\n") + "\n").contains("line 2 (seq 3): expected seq 2, found 3"))

        var reordered = lines
        reordered.swapAt(1, 2)
        XCTAssertTrue(try verify(reordered.joined(separator: "\n") + "\n").contains("line 2 (seq 3): expected seq 2, found 3"))

        // A cut-off tail is invisible to the chain alone, but not against a head recorded earlier.
        let cut = lines.dropLast().joined(separator: "\n") + "\n"
        try cut.write(toFile: host.auditLogPath, atomically: true, encoding: .utf8)
        try host.run(["audit", "verify"])
        XCTAssertTrue(try verify(cut, extra: ["--head", head]).contains("entries were cut off the end"))

        try original.write(toFile: host.auditLogPath, atomically: true, encoding: .utf8)
        try host.run(["audit", "verify", "--head", head])
    }
}
