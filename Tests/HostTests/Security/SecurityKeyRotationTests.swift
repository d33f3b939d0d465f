import Foundation
import XCTest
@testable import Host
@testable import Operations
@testable import Pipeline

/// `imagegen keys generate --add` then `keys rotate`: killed after its first batch, every prompt
/// still opens; run again, it finishes; then the old key can leave the ring.
final class SecurityKeyRotationTests: XCTestCase {
    func testRotationKilledMidwayKeepsEveryPromptReadableAndResumes() throws {
        let host = try TestHost(label: "sec-rotate")
        let keyFile = host.paths.data + "/keys/master.key"
        try host.run(["generate", "--prompt", "a quiet harbour", "--negative", "fog", "--variations", "5",
                      "--width", "64", "--height", "64"])
        let oldKey = try XCTUnwrap(try host.rawCatalog().database.query("SELECT substr(prompt, 8, 8) AS k FROM images").first?["k"]?.string)
        // Each image's six derivatives carry its prompt too, sealed under their own ids.
        let rows = 5 * 7

        let added = try host.run(["keys", "generate", "--add"])
        XCTAssertTrue(added.stdout.contains("added key"), added.stdout)
        let status = try JSONDecoder().decode(KeysStatus.self, from: Data(try host.run(["keys", "status", "--json"]).stdout.utf8))
        XCTAssertEqual(status.previous_keys, [oldKey])
        XCTAssertEqual(status.pending_images, rows)
        XCTAssertEqual(status.pending_jobs, 5)
        let newKey = try XCTUnwrap(status.current_key)

        // Killed (SIGKILL) right after the first committed batch of 2 images.
        let killed = try host.cli(["keys", "rotate", "--batch", "2"],
                                  environment: ["IMAGEGEN_CRASH_AT": "during_rotation", "IMAGEGEN_CRASH_AFTER": "1"])
        XCTAssertTrue(killed.signalled, "the rotation should have been killed: \(killed.stderr)")
        let keysNow = try host.rawCatalog().database.query("SELECT substr(prompt, 8, 8) AS k FROM images").compactMap { $0["k"]?.string }
        XCTAssertEqual(keysNow.filter { $0 == newKey }.count, 2, "one batch committed: \(keysNow)")
        XCTAssertEqual(keysNow.filter { $0 == oldKey }.count, rows - 2)
        // Mid-rotation, every prompt (rows and sidecars) still opens with the ring.
        let images = try host.listedImages()
        XCTAssertEqual(images.count, 5)
        for image in images {
            XCTAssertEqual(image.prompt, "a quiet harbour")
            XCTAssertEqual(ContentStore(dataDirectory: host.paths.data, prompts: try host.catalog().promptProtection)
                .readSidecar(relativeImagePath: image.filePath)?.prompt, "a quiet harbour")
        }

        let resumed = try host.run(["keys", "rotate", "--batch", "2", "--json"])
        let report = try JSONDecoder().decode(KeyRotation.Report.self, from: Data(resumed.stdout.utf8))
        XCTAssertEqual(report.images, rows - 2, "only what was left")
        XCTAssertEqual(report.jobs, 5)
        XCTAssertEqual(report.failures, [])
        let again = try JSONDecoder().decode(KeyRotation.Report.self, from: Data(try host.run(["keys", "rotate", "--json"]).stdout.utf8))
        XCTAssertEqual(again.images + again.jobs + again.sidecars, 0, "a finished rotation is a no-op")

        // Everything is under the new key: rows, job references, sidecars, word index.
        let raw = try host.rawCatalog()
        for table in ["images", "jobs"] {
            let keys = Set(try raw.database.query("SELECT substr(prompt, 8, 8) AS k FROM \(table)").compactMap { $0["k"]?.string })
            XCTAssertEqual(keys, [newKey], table)
        }
        XCTAssertTrue(try raw.database.query("SELECT job_ref FROM jobs").allSatisfy { ($0["job_ref"]?.string ?? "").hasPrefix("\"enc:v1:\(newKey):") })
        XCTAssertTrue(try raw.database.query("SELECT token FROM prompt_words").allSatisfy { ($0["token"]?.string ?? "").hasPrefix(newKey + ":") })
        for image in images {
            let stored = try XCTUnwrap(ContentStore(dataDirectory: host.paths.data).storedSidecar(relativeImagePath: image.filePath))
            XCTAssertTrue(stored.prompt.hasPrefix("enc:v1:\(newKey):"))
        }

        // The old key leaves the ring: prompts still read; audit entries it signed need it to verify.
        let lines = try String(contentsOfFile: keyFile, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        try SecurityFixtures.writeOwnerOnly(keyFile, String(lines[0]) + "\n")
        XCTAssertEqual(Set(try host.listedImages().map(\.prompt)), ["a quiet harbour"])
        XCTAssertEqual(try host.listedImages(extra: ["--prompt-word", "harbour"]).count, 5)
        let verify = try host.run(["audit", "verify"], expect: 1)
        XCTAssertTrue(verify.stderr.contains("signed with key \(oldKey), which is not in the key ring"), verify.stderr)
        let rotations = try host.auditEntries().filter { $0.action == .keyRotation }
        XCTAssertEqual(rotations.map { $0.details["phase"] }, ["started", "started", "finished", "started", "finished"])
    }

    private struct KeysStatus: Decodable {
        var current_key: String?
        var previous_keys: [String]
        var pending_images: Int?
        var pending_jobs: Int?
    }
}
