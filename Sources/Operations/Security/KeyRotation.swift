import Foundation
import ImagegenJSON
import CatalogSQLite
import Crypto
import DurableFiles
import ImagegenCore
import Pipeline
import Security

/// `imagegen keys rotate`: brings every stored prompt to the current key, in batches.
///
/// Procedure (docs/security.md §3): add a new key as current and keep the old one as previous
/// (`imagegen keys generate --add`), then rotate. At every moment each value is readable with
/// the ring: a batch re-encrypts rows in one transaction, and an image's sidecar is rewritten
/// *before* its row commits, so a crash leaves the row still selected for the next run (which
/// rewrites the sidecar again). Re-encrypting a value already under the current key changes
/// nothing, so an interrupted rotation is simply run again. Legacy plaintext is encrypted too,
/// and the word index is rebuilt under the current key (or emptied when search is `decrypt`).
public struct KeyRotation: Sendable {
    public struct Report: Sendable, Codable, Equatable {
        public var images = 0
        public var sidecars = 0
        public var missingSidecars = 0
        public var jobs = 0
        public var indexedImages = 0
        /// Rows or sidecars that could not be opened with the ring (their key is missing, or they were altered).
        public var failures: [String] = []
        public var currentKey = ""
        enum CodingKeys: String, CodingKey {
            case images, sidecars, jobs, failures
            case missingSidecars = "missing_sidecars", indexedImages = "indexed_images", currentKey = "current_key"
        }
    }

    let catalog: SQLiteCatalog
    let content: ContentStore
    let vault: PromptVault
    let search: PromptSearchMode
    let batchSize: Int

    public init(catalog: SQLiteCatalog, content: ContentStore, protection: PromptProtection, batchSize: Int = 500) throws {
        guard let vault = protection.vault else {
            throw PromptAccessError.locked(reason: protection.lockedReason ?? "no key")
        }
        self.catalog = catalog
        self.content = content
        self.vault = vault
        self.search = protection.search
        self.batchSize = max(1, batchSize)
    }

    var current: String { vault.currentKeyID!.rawValue }
    var currentPrefix: String { "\(PromptEnvelope.prefix)\(PromptEnvelope.version):\(current):" }

    /// Runs until nothing is left; `progress` is called after each committed batch.
    public func run(progress: (Report) -> Void = { _ in }) throws -> Report {
        try catalog.migrate(SecuritySchema.schema)
        var report = Report(currentKey: current)
        try rotateImages(&report, progress: progress)
        try rotateJobs(&report, progress: progress)
        try rebuildIndex(&report, progress: progress)
        return report
    }

    /// How many stored values are not under the current key yet (for `keys status` and tests).
    public func pending() throws -> (images: Int, jobs: Int) {
        let images = try catalog.database.query("SELECT COUNT(*) AS n FROM images WHERE \(imageCondition)", [.text(currentPrefix + "%")])
        let jobs = try catalog.database.query("SELECT COUNT(*) AS n FROM jobs WHERE \(jobCondition)",
                                              [.text(currentPrefix + "%"), .text("\"" + currentPrefix + "%")])
        return (Int(images.first?["n"]?.int ?? 0), Int(jobs.first?["n"]?.int ?? 0))
    }

    private var imageCondition: String {
        "(prompt NOT LIKE ?1 OR (negative_prompt IS NOT NULL AND negative_prompt NOT LIKE ?1))"
    }

    private var jobCondition: String {
        "(prompt NOT LIKE ?1 OR (negative_prompt IS NOT NULL AND negative_prompt NOT LIKE ?1) OR (job_ref IS NOT NULL AND job_ref NOT LIKE ?2))"
    }

    // MARK: - Images and their sidecars

    private func rotateImages(_ report: inout Report, progress: (Report) -> Void) throws {
        var skipped: [String] = []
        while true {
            let rows = try catalog.database.query("""
                SELECT id, prompt, negative_prompt, file_path FROM images
                WHERE \(imageCondition) AND id NOT IN (SELECT value FROM json_each(?2)) ORDER BY id LIMIT ?3
                """, [.text(currentPrefix + "%"), .text(SQLiteCatalog.encode(skipped)), .integer(Int64(batchSize))])
            if rows.isEmpty { return }
            var updates: [(id: String, prompt: String, negative: String?, plaintext: String)] = []
            for row in rows {
                let id = row["id"]?.string ?? ""
                do {
                    let stored = row["prompt"]?.string ?? ""
                    let plaintext = PromptEnvelope.looksLikeEnvelope(stored) ? try vault.decrypt(stored, binding: .prompt(of: id)) : stored
                    let prompt = try vault.upgrade(stored, binding: .prompt(of: id))
                    let negative = try row["negative_prompt"]?.string.map { try vault.upgrade($0, binding: .negativePrompt(of: id)) }
                    try rotateSidecar(of: id, filePath: row["file_path"]?.string ?? "", report: &report)
                    updates.append((id, prompt, negative, plaintext))
                } catch {
                    skipped.append(id)
                    report.failures.append("image \(id): \(error)")
                }
            }
            try catalog.database.transaction {
                for update in updates {
                    try catalog.database.query("UPDATE images SET prompt = ?, negative_prompt = ? WHERE id = ?",
                                               [.text(update.prompt), update.negative.map { .text($0) } ?? .null, .text(update.id)])
                    if search == .index { try reindex(update.id, plaintext: update.plaintext) }
                }
            }
            report.images += updates.count
            report.indexedImages += search == .index ? updates.count : 0
            progress(report)
            CrashPoint.duringRotation.hit()
        }
    }

    /// Rewrites the sidecar's prompt fields under the current key (the rest of it as it is).
    private func rotateSidecar(of id: String, filePath: String, report: inout Report) throws {
        guard !filePath.isEmpty, var sidecar = content.storedSidecar(relativeImagePath: filePath) else {
            report.missingSidecars += 1
            return
        }
        let prompt = try vault.upgrade(sidecar.prompt, binding: .prompt(of: id))
        let negative = try sidecar.negativePrompt.map { try vault.upgrade($0, binding: .negativePrompt(of: id)) }
        guard prompt != sidecar.prompt || negative != sidecar.negativePrompt else { return }
        sidecar.prompt = prompt
        sidecar.negativePrompt = negative
        try AtomicFile.write(content.sidecarBytes(sidecar), to: content.absolute(content.sidecarPath(for: filePath)))
        report.sidecars += 1
    }

    // MARK: - Jobs

    private func rotateJobs(_ report: inout Report, progress: (Report) -> Void) throws {
        var skipped: [String] = []
        while true {
            let rows = try catalog.database.query("""
                SELECT id, prompt, negative_prompt, job_ref FROM jobs
                WHERE \(jobCondition) AND id NOT IN (SELECT value FROM json_each(?3)) ORDER BY id LIMIT ?4
                """, [.text(currentPrefix + "%"), .text("\"" + currentPrefix + "%"), .text(SQLiteCatalog.encode(skipped)),
                      .integer(Int64(batchSize))])
            if rows.isEmpty { return }
            var updates: [(id: String, prompt: String, negative: String?, reference: String?)] = []
            for row in rows {
                let id = row["id"]?.string ?? ""
                do {
                    let prompt = try vault.upgrade(row["prompt"]?.string ?? "", binding: .prompt(of: id))
                    let negative = try row["negative_prompt"]?.string.map { try vault.upgrade($0, binding: .negativePrompt(of: id)) }
                    let reference = try row["job_ref"]?.string.map { try rotatedReference($0, jobID: id) }
                    updates.append((id, prompt, negative, reference))
                } catch {
                    skipped.append(id)
                    report.failures.append("job \(id): \(error)")
                }
            }
            try catalog.database.transaction {
                for update in updates {
                    try catalog.database.query("UPDATE jobs SET prompt = ?, negative_prompt = ?, job_ref = ? WHERE id = ?",
                                               [.text(update.prompt), update.negative.map { .text($0) } ?? .null,
                                                update.reference.map { .text($0) } ?? .null, .text(update.id)])
                }
            }
            report.jobs += updates.count
            progress(report)
            CrashPoint.duringRotation.hit()
        }
    }

    /// The `job_ref` column under the current key: a JSON string holding an envelope, or (legacy)
    /// the provider's JSON in the clear, which is sealed now.
    private func rotatedReference(_ stored: String, jobID: String) throws -> String {
        let binding = PromptProtection.referenceBinding(jobID)
        if case .string(let text)? = JSONValue.parse(Array(stored.utf8)), PromptEnvelope.looksLikeEnvelope(text) {
            return String(decoding: JSONValue.string(try vault.reencrypt(text, binding: binding)).encoded(), as: UTF8.self)
        }
        return String(decoding: JSONValue.string(try vault.encrypt(stored, binding: binding)).encoded(), as: UTF8.self)
    }

    // MARK: - Word index

    /// Tokens under an old key, and images never indexed, get current tokens; in `decrypt` mode
    /// the index is emptied (it would only leak word statistics).
    private func rebuildIndex(_ report: inout Report, progress: (Report) -> Void) throws {
        guard search == .index else {
            try catalog.database.query("DELETE FROM prompt_words")
            return
        }
        var done = Set<String>()
        while true {
            let rows = try catalog.database.query("""
                SELECT id, prompt FROM images
                WHERE (id IN (SELECT image_id FROM prompt_words WHERE token NOT LIKE ?1)
                       OR id NOT IN (SELECT image_id FROM prompt_words))
                  AND id NOT IN (SELECT value FROM json_each(?2)) ORDER BY id LIMIT ?3
                """, [.text(current + ":%"), .text(SQLiteCatalog.encode(Array(done))), .integer(Int64(batchSize))])
            if rows.isEmpty { return }
            try catalog.database.transaction {
                for row in rows {
                    let id = row["id"]?.string ?? ""
                    done.insert(id)
                    guard let plaintext = try? vault.decrypt(row["prompt"]?.string ?? "", binding: .prompt(of: id)) else { continue }
                    try reindex(id, plaintext: plaintext)
                    report.indexedImages += 1
                }
            }
            progress(report)
        }
    }

    private func reindex(_ imageID: String, plaintext: String) throws {
        try catalog.database.query("DELETE FROM prompt_words WHERE image_id = ?", [.text(imageID)])
        for token in try vault.searchTokens(for: plaintext) {
            try catalog.database.query("INSERT OR IGNORE INTO prompt_words (token, image_id) VALUES (?, ?)",
                                       [.text(token), .text(imageID)])
        }
    }
}
