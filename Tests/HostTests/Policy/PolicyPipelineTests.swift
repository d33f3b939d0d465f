import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import ImagegenCore
@testable import Security

/// The content policy where it is enforced: before any provider sees a request (prompt and
/// template paths), on every template at load, in the routing of adult categories, and again
/// in the runner just before a job is sent.
final class PolicyPipelineTests: XCTestCase {
    let size = ["--width", "64", "--height", "64"]

    func submitLog(_ host: TestHost, plugin: String = "preview") -> String { host.root + "/\(plugin)-submits.log" }

    func submits(_ host: TestHost, plugin: String = "preview") -> Int {
        ((try? String(contentsOfFile: submitLog(host, plugin: plugin), encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func testRefusedPromptExitsFiveQueuesNothingAndNeverReachesTheProvider() throws {
        let host = try TestHost(label: "policy-refuse")
        try "{ providers: { preview: { submit_log: \"\(submitLog(host))\" } } }".write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        try host.run(["generate", "--prompt", "a yellow teapot"] + size)
        XCTAssertEqual(submits(host), 1, "the submit log works")

        let refused = try host.run(["generate", "--prompt", "an upskirt photo on the stairs"] + size, expect: 5)
        XCTAssertTrue(refused.stderr.contains("refused by rule hard.non-consent"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("cannot be lifted by configuration"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("stairs"), "the refusal never quotes the prompt")
        XCTAssertEqual(try host.jobCount(), 1, "nothing queued")
        XCTAssertEqual(submits(host), 1, "the provider never saw it")
        let entry = try XCTUnwrap(try host.auditEntries().last { $0.action == .policyRefusal })
        XCTAssertEqual(entry.details["rule"], "hard.non-consent")
        XCTAssertEqual(entry.details["hard_block"], "true")
        XCTAssertFalse(try String(contentsOfFile: host.auditLogPath, encoding: .utf8).contains("upskirt"))
    }

    func testTemplateThatCanProduceARefusedPromptIsRefusedAtLoadAndNeverGenerated() throws {
        let host = try TestHost(label: "policy-template")
        try "{ providers: { preview: { submit_log: \"\(submitLog(host))\" } } }".write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        try host.run(["templates", "check"])  // installs the default set
        try """
            {
              category: "decor",
              adult: false,
              templates: [
                { name: "decor_vase", prompt: "a {{colour}} vase on a shelf", placeholders: { colour: ["red", "blue"] } },
                { name: "decor_bad", prompt: "an {{kind}} photo in a hallway", placeholders: { kind: ["ordinary", "upskirt"] } },
              ],
            }
            """.write(toFile: host.paths.data + "/templates/decor.json5", atomically: true, encoding: .utf8)

        let check = try host.run(["templates", "check"], expect: 2)
        let problem = try XCTUnwrap(check.stdout.split(separator: "\n").first { $0.contains("decor_bad") })
        XCTAssertTrue(problem.contains("decor.json5:6:") && problem.contains("error: refused by the content policy (rule hard.non-consent)"),
                      String(problem))
        XCTAssertTrue(problem.contains("kind value 2"), "names the placeholder value that produces it: \(problem)")
        let listed = try host.run(["templates", "list", "--json"]).stdout
        XCTAssertTrue(listed.contains("decor_vase"))
        XCTAssertFalse(listed.contains("decor_bad"))

        let generate = try host.run(["generate", "--template", "decor_bad"], expect: 2)
        XCTAssertTrue(generate.stderr.contains("template \"decor_bad\" does not exist (or its file has errors"), generate.stderr)
        XCTAssertEqual(try host.jobCount(), 0)
        try host.run(["generate", "--template", "decor_vase"])
        XCTAssertEqual(submits(host), 1, "only the allowed template reached the provider")
        // Audited once, however often the library is loaded.
        let refusals = try host.auditEntries().filter { $0.action == .policyRefusal && $0.subject == "template:decor_bad" }
        XCTAssertEqual(refusals.count, 1)
        XCTAssertEqual(refusals.first?.details["rule"], "hard.non-consent")
    }

    func testAdultCategoriesNeedTheAttestationOneRuleWhicheverWayItIsWritten() throws {
        let host = try TestHost(label: "policy-attest")
        let missing = try host.run(["generate", "--prompt", "a silk robe", "--category", "lingerie"] + size, expect: 5)
        XCTAssertTrue(missing.stderr.contains("needs the operator's age-verification attestation"), missing.stderr)
        XCTAssertEqual(try host.jobCount(), 0)
        XCTAssertEqual(try host.auditEntries().last { $0.action == .policyRefusal }?.details["rule"], "routing.adult.attestation")

        // The refusal names the key the README documents, and that key works (as a date or a time).
        XCTAssertTrue(missing.stderr.contains("set attestation: { attested_by"), missing.stderr)
        XCTAssertFalse(missing.stderr.contains("adult_attestation"), missing.stderr)
        for attestation in [#"attestation: { attested_by: "Jane Doe, DPO", attested_at: "2026-01-15" }"#,
                            #"attestation: { attested_by: "Jane Doe, DPO", attested_at: "2026-01-15T09:00:00Z" }"#] {
            try "{ \(attestation) }".write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
            try host.run(["generate", "--prompt", "a silk robe", "--category", "lingerie"] + size)
        }
        // The other spelling is a config error with a did-you-mean, alone or beside the right one.
        for config in [#"{ policy: { adult_attestation: { attested_by: "x", attested_at: "2026-01-15T00:00:00Z" } } }"#,
                       #"{ attestation: { attested_by: "x", attested_at: "2026-01-15" }, policy: { adult_attestation: { attested_by: "x", attested_at: "2026-01-15T00:00:00Z" } } }"#] {
            try config.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
            let old = try host.run(["generate", "--prompt", "a silk robe", "--category", "lingerie"] + size, expect: 2)
            XCTAssertTrue(old.stderr.contains("policy.adult_attestation") && old.stderr.contains("did you mean attestation?"), old.stderr)
        }
        try #"{ attestation: { attested_by: "Jane Doe", attested_at: "2999-01-01" } }"#.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        let future = try host.run(["generate", "--prompt", "a silk robe", "--category", "lingerie"] + size, expect: 5)
        XCTAssertTrue(future.stderr.contains("attested_at is in the future"), future.stderr)
        try #"{ attestation: { attested_by: "   ", attested_at: "2026-01-15" } }"#.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        let empty = try host.run(["generate", "--prompt", "a silk robe", "--category", "lingerie"] + size, expect: 5)
        XCTAssertTrue(empty.stderr.contains("attested_by is empty"), empty.stderr)
        XCTAssertEqual(try host.jobCount(), 2)
    }

    func testAdultCategoriesAreRoutedOnlyToNSFWAllowedProviders() throws {
        let folder = TestEnvironment.temporaryDirectory("policy-strict")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let strict = try TestHost.compileStrictPreview(id: "preview-strict", into: folder)
        let host = try TestHost(label: "policy-route", extraPlugins: [strict])
        try """
            {
              attestation: { attested_by: "Jane Doe, DPO", attested_at: "2026-01-15" },
              providers: {
                "preview-strict": { priority: 10, submit_log: "\(submitLog(host, plugin: "strict"))" },
                preview: { submit_log: "\(submitLog(host))" },
              },
            }
            """.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        let route = try host.run(["route", "preview", "--category", "lingerie", "--json"]).stdout
        XCTAssertTrue(route.contains("terms forbid adult content"), route)

        try host.run(["generate", "--prompt", "a silk robe", "--category", "lingerie"] + size)
        XCTAssertEqual(submits(host, plugin: "strict"), 0, "the provider that forbids adult content never sees it")
        XCTAssertEqual(submits(host), 1)
        try host.run(["generate", "--prompt", "a ceramic bowl"] + size)
        XCTAssertEqual(submits(host, plugin: "strict"), 1, "other categories take the first candidate")

        // Without any provider that allows it, the request is refused before anything is queued.
        try FileManager.default.removeItem(atPath: host.paths.plugins + "/libimagegen-preview.so")
        let jobs = try host.jobCount()
        let refused = try host.run(["generate", "--prompt", "a silk robe", "--category", "lingerie"] + size, expect: 5)
        XCTAssertTrue(refused.stderr.contains("no candidate of model \"preview\" is from a provider whose terms allow it"), refused.stderr)
        XCTAssertEqual(try host.jobCount(), jobs)
        XCTAssertEqual(submits(host, plugin: "strict"), 1)
    }

    func testTheRunnerRefusesAQueuedAdultJobOnceTheAttestationIsWithdrawn() async throws {
        let host = try TestHost(label: "policy-runner")
        let log = submitLog(host)
        try #"{ attestation: { attested_by: "Jane Doe", attested_at: "2026-01-15" }, providers: { preview: { submit_log: "\#(log)" } } }"#
            .write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        var queued: [Job] = []
        do {
            let generator = try host.generator()
            queued = try generator.service.enqueue(GenerationRequest(prompt: "a silk robe", width: 64, height: 64, category: "lingerie"))
        }
        try #"{ providers: { preview: { submit_log: "\#(log)" } } }"#.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        let generator = try host.generator()
        let ran = try await generator.drain()
        await generator.shutdown()
        XCTAssertTrue(ran)
        let job = try XCTUnwrap(try host.catalog().job(try XCTUnwrap(queued.first?.id)))
        XCTAssertEqual(job.state, .failed)
        XCTAssertEqual(job.errorCode, "policy_refused")
        XCTAssertTrue(job.errorMessage?.contains("routing.adult.attestation") ?? false, job.errorMessage ?? "")
        XCTAssertEqual(submits(host), 0, "the provider never saw it")
    }

    func testProviderContentFilterOutcomesAreCountedPerTemplateAndNeverRetriedElsewhere() throws {
        let folder = TestEnvironment.temporaryDirectory("policy-filter")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let second = try TestHost.compilePreviewVariant(id: "preview-b", into: folder)
        let host = try TestHost(label: "policy-filter", extraPlugins: [second])
        try """
            { providers: { preview: { filter_word: "vase", priority: 5, submit_log: "\(submitLog(host))" },
                           "preview-b": { submit_log: "\(submitLog(host, plugin: "b"))" } } }
            """.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        try host.run(["templates", "check"])
        try """
            { category: "decor", adult: false, templates: [
                { name: "decor_vase", prompt: "a {{colour}} vase", placeholders: { colour: ["red", "blue"] } },
                { name: "decor_lamp", prompt: "a {{colour}} lamp", placeholders: { colour: ["red", "blue"] } },
            ] }
            """.write(toFile: host.paths.data + "/templates/decor.json5", atomically: true, encoding: .utf8)
        try host.run(["generate", "--template", "decor_vase", "--variations", "2"], expect: 5)
        try host.run(["generate", "--template", "decor_lamp"])
        XCTAssertEqual(submits(host), 3)
        XCTAssertEqual(submits(host, plugin: "b"), 0, "a filtered job is final: never sent to the other provider")

        let counts = try host.catalog().contentFilterCounts(since: Date().addingTimeInterval(-3600))
        XCTAssertEqual(counts.first, ContentFilterCount(template: "decor_vase", filtered: 2, finished: 2, lastFilteredAt: counts.first?.lastFilteredAt))
        XCTAssertEqual(counts.first { $0.template == "decor_lamp" }?.filtered, 0)
        XCTAssertEqual(try host.catalog().templatesFilteredRepeatedly(threshold: 2, since: Date().addingTimeInterval(-3600)).map(\.template),
                       ["decor_vase"])
        XCTAssertEqual(try host.auditEntries().filter { $0.action == .contentFiltered }.compactMap { $0.details["template"] },
                       ["decor_vase", "decor_vase"])
    }
}
