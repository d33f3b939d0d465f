import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import Crypto

/// The end-to-end promise: after a full run of the built CLI — generations on Preview and on the
/// Replicate emulator (which really receives the API key), a provider content filter, a policy
/// refusal, listings, costs, the audit log and key status, all at debug log level —
/// no API key, no form of the master key and no prompt appears in plain text anywhere the system
/// wrote: every file of the data folder (catalog, WAL, sidecars, audit log, ...), stdout, stderr.
///
/// Commands that show prompts to the key holder by design (`images show`, `--json` listings) are
/// not part of the run.
final class SecurityRedactionGrepTests: XCTestCase {
    func testNothingWrittenContainsAKeyOrAPromptInPlainText() throws {
        let replicateToken = "r8_fakeToken" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let stabilityKey = "sk-fakeStability" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let midjourneyKey = "mj-fakeMidjourney" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let master = MasterKey.generate()
        let masterText = master.exportBase64()
        let emulator = try EmulatorProcess("replicate", token: replicateToken)
        defer { emulator.stop() }

        let host = try TestHost(label: "sec-grep", plugins: ["preview", "replicate", "midjourney"])
        let secretsFile = host.root + "/secrets.env"
        try SecurityFixtures.writeOwnerOnly(secretsFile, "# provider keys\nSTABILITY_API_KEY=\(stabilityKey)\n")
        try """
            {
              providers: {
                preview: { filter_word: "forbiddenzebra" },
                replicate: { base_url: "\(emulator.baseURL)/v1", poll_interval_ms: 20 },
                // An operator's mistake: a key pasted into a URL. Every debug line and error quoting
                // the URL must mask it.
                midjourney: { base_url: "http://127.0.0.1:9/?token=\(midjourneyKey)" },
              },
              secrets: { file: "secrets.env" },
              policy: { rules: [{ id: "brand.competitor", name: "Competitor brands", terms: ["acmecorp"] }] },
            }
            """.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        let env = ["IMAGEGEN_MASTER_KEY": masterText, "REPLICATE_API_TOKEN": replicateToken, "MIDJOURNEY_API_KEY": midjourneyKey]

        let prompts = ["a lighthouse keeper feeding a quokka at dawn", "marmalade glazed teacups stacked in a greenhouse",
                       "an origami heron above forbiddenzebra dunes", "a billboard for acmecorp over a canal",
                       "copper kettles under a violet aurora"]
        let negative = "smudged charcoal vignette"
        var outputs: [String] = []
        func run(_ args: [String], expect: Int32 = 0) throws {
            let out = try host.run(args + ["--verbose"], env: env, expect: expect)
            outputs += [out.stdout, out.stderr]
        }
        let size = ["--width", "64", "--height", "64"]
        try run(["generate", "--prompt", prompts[0], "--negative", negative] + size)
        try run(["generate", "--prompt", prompts[1], "--model", "flux-schnell", "--width", "512", "--height", "512"])
        try run(["generate", "--prompt", prompts[2]] + size, expect: 5)
        try run(["generate", "--prompt", prompts[3]] + size, expect: 5)
        try run(["generate", "--prompt", prompts[4], "--variations", "2"] + size)
        try run(["generate", "--prompt", prompts[0], "--model", "midjourney-v6", "--width", "512", "--height", "512"], expect: 4)
        for command in [["images", "list"], ["images", "list", "--prompt-word", "quokka"], ["jobs"], ["costs"], ["audit"],
                        ["audit", "verify"], ["keys", "status"], ["plugins"], ["templates", "check"]] {
            try run(command)
        }

        // The run did what it says: the key reached the provider, prompts open for the key holder.
        let requests = try emulator.requests()
        XCTAssertFalse(requests.isEmpty)
        XCTAssertTrue(requests.allSatisfy { $0["auth_ok"]?.bool == true }, "the Replicate emulator got the key with every call: \(requests)")
        let listed = try host.listedImages(env: env)
        XCTAssertEqual(Set(listed.map(\.prompt)), [prompts[0], prompts[1], prompts[4]])
        let states = try host.rawCatalog().database.query("SELECT state FROM jobs").compactMap { $0["state"]?.string }
        XCTAssertEqual(states.filter { $0 == "content_filtered" }.count, 1)

        XCTAssertTrue(outputs.contains { $0.contains("[REDACTED:MIDJOURNEY_API_KEY]") }, "the masked URL is logged at debug level")
        var needles: [(String, String)] = [("REPLICATE_API_TOKEN", replicateToken), ("STABILITY_API_KEY", stabilityKey),
                                           ("MIDJOURNEY_API_KEY", midjourneyKey), ("negative prompt", negative)]
        needles += master.textEncodingsForTests.map { ("master key", $0) }
        needles += prompts.enumerated().map { ("prompt \($0.offset + 1)", $0.element) }
        let files = SecurityFixtures.files(under: host.paths.data)
        XCTAssertTrue(files.contains { $0.path.hasSuffix("catalog.sqlite") } && files.contains { $0.path.hasSuffix("audit.log") }
                      && files.contains { $0.path.hasSuffix(".json") }, "the run wrote what it should: \(files.map(\.path))")
        for (what, needle) in needles {
            let bytes = Data(needle.utf8)
            for file in files where file.bytes.range(of: bytes) != nil {
                XCTFail("\(what) in plain text in \(file.path)")
            }
            for (index, text) in outputs.enumerated() where text.contains(needle) {
                XCTFail("\(what) in plain text in the \(index % 2 == 0 ? "stdout" : "stderr") of command \(index / 2 + 1)")
            }
        }
    }
}

extension MasterKey {
    /// Every text form of the key, for leak checks.
    var textEncodingsForTests: [String] { textEncodings }
}
