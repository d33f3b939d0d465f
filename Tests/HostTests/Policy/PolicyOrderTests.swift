import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import Catalog
@testable import ImagegenCore
@testable import Security

/// Issue 17: the hard lines are the first answer at every entry point — ahead of the
/// attestation, budgets, quotas and routing — and adult wording never goes out under a
/// non-adult category.
final class PolicyOrderTests: XCTestCase {
    let size = ["--width", "64", "--height", "64"]
    let schoolgirl = "a schoolgirl posing in lingerie"

    func submitLog(_ host: TestHost, plugin: String) -> String { host.root + "/\(plugin)-submits.log" }

    func submits(_ host: TestHost, plugin: String) -> Int {
        // try?: a missing log means the plugin never submitted anything
        ((try? String(contentsOfFile: submitLog(host, plugin: plugin), encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func testHardBlockComesBeforeTheMissingAttestationThroughTheCLI() throws {
        let host = try TestHost(label: "policy-order-cli")
        let refused = try host.run(["generate", "--prompt", schoolgirl, "--category", "lingerie"] + size, expect: 5)
        XCTAssertTrue(refused.stderr.contains("refused by rule hard.minors.youth"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("attestation"), refused.stderr)
        let entry = try XCTUnwrap(try host.auditEntries().last { $0.action == .policyRefusal })
        XCTAssertEqual(entry.details["rule"], "hard.minors.youth")
        XCTAssertEqual(entry.details["hard_block"], "true")
        XCTAssertEqual(try host.jobCount(), 0)
    }

    func testHardBlockComesBeforeTheMissingAttestationThroughTheAPI() async throws {
        let h = try await ServerTestHarness(label: "policy-order-api")
        let response = try await h.client.generate(["prompt": .string(schoolgirl), "category": .string("lingerie")])
        await h.stop()
        XCTAssertEqual(response.status, 422, response.text)
        XCTAssertEqual(response.errorCode, "content_policy", response.text)
        XCTAssertTrue(response.json?["error"]?["message"]?.string?.contains("hard.minors.youth") ?? false, response.text)
        let entry = try XCTUnwrap(try h.host.auditEntries().last { $0.action == .policyRefusal })
        XCTAssertEqual(entry.details["rule"], "hard.minors.youth")
    }

    func testHardBlockComesBeforeTheUnknownModelAndTheRoute() throws {
        let host = try TestHost(label: "policy-order-model")
        let refused = try host.run(["generate", "--model", "no-such-model", "--prompt", "nude, 14 years old"] + size, expect: 5)
        XCTAssertTrue(refused.stderr.contains("refused by rule hard.minors.age"), refused.stderr)
    }

    /// The Stability example: no category, adult wording, a provider whose terms forbid adult
    /// content. (The NSFW-forbidding Preview variant stands in for Stability: same manifest flag.)
    func testAdultWordingWithoutCategoryIsRefusedAndNeverSentToAStrictProvider() throws {
        let folder = TestEnvironment.temporaryDirectory("policy-order-strict")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let strict = try TestHost.compileStrictPreview(id: "preview-strict", into: folder)
        // Only the strict plugin serves model "preview": like Stability for stable-diffusion-xl.
        let host = try TestHost(label: "policy-order-strict", plugins: [], extraPlugins: [strict])
        try """
            { providers: { "preview-strict": { submit_log: "\(submitLog(host, plugin: "strict"))" } } }
            """.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        try host.run(["generate", "--model", "preview", "--prompt", "a ceramic bowl"] + size)
        XCTAssertEqual(submits(host, plugin: "strict"), 1, "the submit log works")

        let refused = try host.run(["generate", "--model", "preview", "--prompt",
                                    "adult woman wearing black lace lingerie on a bed"] + size, expect: 5)
        XCTAssertTrue(refused.stderr.contains("refused by rule routing.adult.category"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("lingerie, "), "names the adult categories: \(refused.stderr)")
        XCTAssertEqual(submits(host, plugin: "strict"), 1, "the strict provider never saw it")
        XCTAssertEqual(try host.jobCount(), 1, "nothing queued under the default category")
        XCTAssertEqual(try host.auditEntries().last { $0.action == .policyRefusal }?.details["rule"], "routing.adult.category")

        // French wording, and an explicit non-adult category.
        try host.run(["generate", "--model", "preview", "--prompt", "femme en dentelle, pose sensuelle",
                      "--category", "product"] + size, expect: 5)
        XCTAssertEqual(submits(host, plugin: "strict"), 1)
    }

    func testReclassificationFilesAdultWordingUnderTheMatchingAdultCategory() throws {
        let folder = TestEnvironment.temporaryDirectory("policy-order-reclass")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let strict = try TestHost.compileStrictPreview(id: "preview-strict", into: folder)
        let host = try TestHost(label: "policy-order-reclass", extraPlugins: [strict])
        try """
            {
              attestation: { attested_by: "Jane Doe, DPO", attested_at: "2026-01-15" },
              policy: { reclassify_adult: true },
              providers: {
                "preview-strict": { priority: 10, submit_log: "\(submitLog(host, plugin: "strict"))" },
                preview: { submit_log: "\(submitLog(host, plugin: "preview"))" },
              },
            }
            """.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        // Reclassified to "lingerie", so routed past the strict first candidate to the one that allows it.
        try host.run(["generate", "--model", "preview", "--prompt", "adult woman wearing black lace lingerie on a bed"] + size)
        XCTAssertEqual(submits(host, plugin: "strict"), 0, "the provider that forbids adult content never sees it")
        XCTAssertEqual(submits(host, plugin: "preview"), 1)
        let categories = try host.rawCatalog().database.query("SELECT category FROM jobs").map { $0["category"]?.string }
        XCTAssertEqual(categories, ["lingerie"])
    }
}
