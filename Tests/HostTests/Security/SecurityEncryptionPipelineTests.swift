import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import Crypto
@testable import ImagegenCore
@testable import Operations
@testable import Pipeline

/// Prompts through the whole pipeline: what lands on disk is ciphertext bound to its record,
/// the key holder reads plaintext, and a host without the key lists everything but no prompt.
final class SecurityEncryptionPipelineTests: XCTestCase {
    static let prompt = "a lighthouse keeper feeding a quokka at dawn"
    static let negative = "blurry watermark"

    func testCatalogRowsSidecarsAndJobRefsHoldEnvelopesAndShowDecrypts() throws {
        let host = try TestHost(label: "sec-enc")
        let key = SecurityFixtures.freshKey()
        let keyFile = host.root + "/master.key"
        try SecurityFixtures.writeOwnerOnly(keyFile, key.text + "\n")
        try #"{ encryption: { key_file: "master.key" } }"#.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        try host.run(["generate", "--prompt", Self.prompt, "--negative", Self.negative, "--width", "64", "--height", "64"])

        let raw = try host.rawCatalog()
        let prefix = "enc:v1:\(key.id):"
        let job = try XCTUnwrap(raw.database.query("SELECT * FROM jobs").first)
        let image = try XCTUnwrap(raw.database.query("SELECT * FROM images").first)
        for (what, value) in [("jobs.prompt", job["prompt"]), ("jobs.negative_prompt", job["negative_prompt"]),
                              ("images.prompt", image["prompt"]), ("images.negative_prompt", image["negative_prompt"])] {
            XCTAssertTrue(value?.string?.hasPrefix(prefix) ?? false, "\(what) is not an envelope under \(key.id): \(String(describing: value))")
        }
        // Preview's job reference embeds the prompt: it is sealed too (a JSON string holding an envelope).
        XCTAssertTrue(job["job_ref"]?.string?.hasPrefix("\"" + prefix) ?? false, "job_ref: \(String(describing: job["job_ref"]))")

        let imageID = try XCTUnwrap(image["id"]?.string)
        let content = ContentStore(dataDirectory: host.paths.data)
        let sidecar = try XCTUnwrap(content.storedSidecar(relativeImagePath: try XCTUnwrap(image["file_path"]?.string)))
        XCTAssertTrue(sidecar.prompt.hasPrefix(prefix))
        XCTAssertTrue(sidecar.negativePrompt?.hasPrefix(prefix) ?? false)
        XCTAssertEqual(sidecar.imageID, imageID, "the sidecar keeps the record's shape")

        // The key holder reads plaintext: `images show`, listings, the library's catalog.
        let shown = try host.run(["images", "show", imageID])
        let record = try JSONDecoder().decode(ImageRecord.self, from: Data(shown.stdout.utf8))
        XCTAssertEqual(record.prompt, Self.prompt)
        XCTAssertEqual(record.negativePrompt, Self.negative)
        XCTAssertEqual(try host.listedImages().first?.prompt, Self.prompt)
        XCTAssertEqual(try host.catalog().job(try XCTUnwrap(job["id"]?.string))?.prompt, Self.prompt)

        // An envelope is bound to its record and field: pasted into another field it does not open.
        try raw.database.query("UPDATE images SET negative_prompt = prompt WHERE id = ?", [.text(imageID)])
        let swapped = try host.run(["images", "show", imageID], expect: 1)
        XCTAssertTrue(swapped.stderr.contains("failed authentication"), swapped.stderr)
        XCTAssertFalse(swapped.stderr.contains(Self.prompt))
    }

    func testFirstUseGeneratesAnOwnerOnlyKeyInTheDataFolderOnce() throws {
        let host = try TestHost(label: "sec-firstkey")
        let first = try host.run(["generate", "--prompt", Self.prompt, "--width", "64", "--height", "64"])
        let keyPath = host.paths.data + "/keys/master.key"
        XCTAssertTrue(first.stderr.contains("generated a master key for this data folder at \(keyPath)"), first.stderr)
        let keyMode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? NSNumber).intValue
        let folderMode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: host.paths.data + "/keys")[.posixPermissions] as? NSNumber).intValue
        XCTAssertEqual(keyMode & 0o777, 0o600)
        XCTAssertEqual(folderMode & 0o777, 0o700)
        let keyText = try String(contentsOfFile: keyPath, encoding: .utf8)
        XCTAssertFalse(first.stderr.contains(keyText.split(separator: "\n").last.map(String.init) ?? "?"), "the key is never printed")

        let second = try host.run(["generate", "--prompt", "another prompt", "--width", "64", "--height", "64"])
        XCTAssertFalse(second.stderr.contains("generated a master key"), "the key is generated once")
        let ids = Set(try host.rawCatalog().database.query("SELECT substr(prompt, 8, 8) AS k FROM images").compactMap { $0["k"]?.string })
        XCTAssertEqual(ids.count, 1, "both images under the same key: \(ids)")
    }

    func testWithoutTheKeyPromptsAreLockedButEverythingElseLists() throws {
        let host = try TestHost(label: "sec-locked")
        try host.run(["generate", "--prompt", Self.prompt, "--width", "64", "--height", "64"])
        let imageID = try XCTUnwrap(try host.listedImages().first?.imageID)
        try FileManager.default.removeItem(atPath: host.paths.data + "/keys/master.key")

        // Listings work, prompts show as a placeholder, never as ciphertext or plaintext.
        let listed = try host.listedImages()
        XCTAssertEqual(listed.map(\.imageID), [imageID])
        XCTAssertEqual(listed[0].prompt, PromptProtection.unreadable)
        try host.run(["jobs"])
        try host.run(["costs"])
        // Showing the prompt is a clear error; generating is refused and queues nothing.
        let shown = try host.run(["images", "show", imageID], expect: 1)
        XCTAssertTrue(shown.stderr.contains("data folder's key") && shown.stderr.contains("restore"), shown.stderr)
        let jobs = try host.jobCount()
        let refused = try host.run(["generate", "--prompt", "new", "--width", "64", "--height", "64"], expect: 1)
        XCTAssertTrue(refused.stderr.contains("prompts are encrypted"), refused.stderr)
        XCTAssertEqual(try host.jobCount(), jobs)
        // A missing key is never silently replaced by a new one over protected data.
        XCTAssertFalse(FileManager.default.fileExists(atPath: host.paths.data + "/keys/master.key"))
        let status = try host.run(["keys", "status"])
        XCTAssertTrue(status.stdout.contains("locked:"), status.stdout)
    }

    func testWrongKeyIsNamedAndARingWithThePreviousKeyReadsBoth() throws {
        let host = try TestHost(label: "sec-wrongkey")
        let a = SecurityFixtures.freshKey(), b = SecurityFixtures.freshKey()
        try host.run(["generate", "--prompt", Self.prompt, "--width", "64", "--height", "64"], env: ["IMAGEGEN_MASTER_KEY": a.text])
        let imageA = try XCTUnwrap(try host.listedImages(env: ["IMAGEGEN_MASTER_KEY": a.text]).first?.imageID)

        let wrong = try host.run(["images", "show", imageA], env: ["IMAGEGEN_MASTER_KEY": b.text], expect: 1)
        XCTAssertTrue(wrong.stderr.contains("encrypted with key \(a.id), which is not in the key ring (\(b.id))"), wrong.stderr)
        XCTAssertFalse(wrong.stderr.contains(a.text) || wrong.stderr.contains(b.text), "no key in error messages")
        XCTAssertEqual(try host.listedImages(env: ["IMAGEGEN_MASTER_KEY": b.text]).first?.prompt, PromptProtection.unreadable)

        // New rows go under B; with A as previous both read.
        try host.run(["generate", "--prompt", "second prompt", "--width", "64", "--height", "64"], env: ["IMAGEGEN_MASTER_KEY": b.text])
        let ring = ["IMAGEGEN_MASTER_KEY": b.text, "IMAGEGEN_MASTER_KEY_PREVIOUS": a.text]
        XCTAssertEqual(Set(try host.listedImages(env: ring).map(\.prompt)), [Self.prompt, "second prompt"])
        let show = try host.run(["images", "show", imageA], env: ring)
        XCTAssertTrue(show.stdout.contains(Self.prompt))
    }

    func testLooseKeyFileRefusesToStartSayingWhy() throws {
        let host = try TestHost(label: "sec-loose", config: #"{ encryption: { key_file: "master.key" } }"#)
        try Data((SecurityFixtures.freshKey().text + "\n").utf8).write(to: URL(fileURLWithPath: host.root + "/master.key"))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: host.root + "/master.key")
        let out = try host.run(["generate", "--prompt", "x", "--width", "64", "--height", "64"], expect: 2)
        XCTAssertTrue(out.stderr.contains("has mode 0644") && out.stderr.contains("chmod 600 \(host.root)/master.key"), out.stderr)
        let list = try host.run(["images", "list"], expect: 2)
        XCTAssertTrue(list.stderr.contains("chmod 600"), list.stderr)
    }

    func testSearchByPromptWordWithTheIndexAndByDecrypting() async throws {
        for mode in ["index", "decrypt"] {
            let host = try TestHost(label: "sec-search-\(mode)", config: "{ encryption: { search: \"\(mode)\" } }")
            let generator = try host.generator()
            for prompt in ["a red Teapot on a table", "a blue téapot in the rain", "a red bicycle"] {
                _ = try await generator.generateCustom(prompt: prompt, parameters: GenerationParameters(width: 64, height: 64))
            }
            await generator.shutdown()
            func found(_ words: String) throws -> Set<String> {
                Set(try host.listedImages(extra: ["--prompt-word", words]).map(\.prompt))
            }
            XCTAssertEqual(try found("TEAPOT"), ["a red Teapot on a table", "a blue téapot in the rain"], mode)
            XCTAssertEqual(try found("red teapot"), ["a red Teapot on a table"], "all words must match (\(mode))")
            XCTAssertEqual(try found("bicycle"), ["a red bicycle"], mode)
            XCTAssertEqual(try found("table teapot"), ["a red Teapot on a table"], mode)
            XCTAssertEqual(try found("submarine"), [], mode)
            let tokens = try host.rawCatalog().database.query("SELECT token FROM prompt_words")
            if mode == "index" {
                XCTAssertFalse(tokens.isEmpty)
                XCTAssertFalse(tokens.contains { ($0["token"]?.string ?? "").contains("teapot") }, "tokens are keyed hashes")
            } else {
                XCTAssertTrue(tokens.isEmpty, "decrypt mode keeps no index")
            }
        }
    }

    func testLegacyPlaintextRowsStillReadAndRotationEncryptsThem() throws {
        let folder = TestEnvironment.temporaryDirectory("sec-legacy")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let raw = try SQLiteCatalog(path: folder + "/catalog.sqlite")
        let now = Date()
        let job = NewJob(id: "job_legacy", batchID: "bat_legacy", model: "preview", category: "product", priority: 0,
                         prompt: "an old plaintext prompt", negativePrompt: "old negative",
                         parameters: GenerationParameters(width: 64, height: 64, seed: 1), outputs: 1, tags: [], extra: [:],
                         expectedCost: nil, deadline: now.addingTimeInterval(60))
        _ = try raw.enqueue([job], budgets: BudgetPolicy(settings: BudgetSettings()), now: now, allowPartial: false)
        try raw.recordSubmitted("job_legacy", ref: ["prompt": "an old plaintext prompt"], state: .submitted, progress: nil, now: now)

        let ring = try KeyRing(current: MasterKey.generate())
        let keyed = try SQLiteCatalog(path: folder + "/catalog.sqlite")
        let protection = PromptProtection.encrypting(ring)
        try keyed.protectPrompts(with: protection)
        XCTAssertEqual(try keyed.job("job_legacy")?.prompt, "an old plaintext prompt", "legacy plaintext still reads")

        let report = try KeyRotation(catalog: keyed, content: ContentStore(dataDirectory: folder), protection: protection, batchSize: 1).run()
        XCTAssertEqual(report.jobs, 1)
        let row = try XCTUnwrap(raw.database.query("SELECT prompt, negative_prompt, job_ref FROM jobs").first)
        XCTAssertTrue(row["prompt"]?.string?.hasPrefix("enc:v1:\(ring.current.id):") ?? false)
        XCTAssertTrue(row["negative_prompt"]?.string?.hasPrefix("enc:v1:") ?? false)
        XCTAssertFalse(row["job_ref"]?.string?.contains("plaintext") ?? true)
        let reread = try XCTUnwrap(keyed.job("job_legacy"))
        XCTAssertEqual(reread.prompt, "an old plaintext prompt")
        XCTAssertEqual(reread.jobRef?["prompt"]?.string, "an old plaintext prompt")
        XCTAssertEqual(try KeyRotation(catalog: keyed, content: ContentStore(dataDirectory: folder), protection: protection).pending().jobs, 0)
    }
}
