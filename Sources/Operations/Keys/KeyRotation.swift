import Foundation
import ImagegenJSON
import Catalog
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
package struct KeyRotation: Sendable {
    package struct Report: Sendable, Codable, Equatable {
        package var images = 0
        package var sidecars = 0
        package var missingSidecars = 0
        package var jobs = 0
        package var indexedImages = 0
        /// Rows or sidecars that could not be opened with the ring (their key is missing, or they were altered).
        package var failures: [String] = []
        package var currentKey = ""
        enum CodingKeys: String, CodingKey {
            case images, sidecars, jobs, failures
            case missingSidecars = "missing_sidecars", indexedImages = "indexed_images", currentKey = "current_key"
        }
    }

    let catalog: any PromptRewrapStore
    let content: ContentStore
    let vault: PromptVault
    let search: PromptSearchMode
    let batchSize: Int

    package init(catalog: any PromptRewrapStore, content: ContentStore, protection: PromptProtection, batchSize: Int = 500) throws {
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
    package func run(progress: (Report) -> Void = { _ in }) throws -> Report {
        try catalog.prepareForPromptRewrap()
        var report = Report(currentKey: current)
        try rotateImages(&report, progress: progress)
        try rotateJobs(&report, progress: progress)
        try rebuildIndex(&report, progress: progress)
        return report
    }

    /// How many stored values are not under the current key yet (for `keys status` and tests).
    package func pending() throws -> (images: Int, jobs: Int) {
        try catalog.countPromptsNotUnder(keyPrefix: currentPrefix)
    }

    // MARK: - Images and their sidecars

    private func rotateImages(_ report: inout Report, progress: (Report) -> Void) throws {
        var skipped: [String] = []
        while true {
            let rows = try catalog.imagePromptsNotUnder(keyPrefix: currentPrefix, excluding: skipped, limit: batchSize)
            if rows.isEmpty { return }
            var updates: [(id: String, prompt: String, negative: String?, plaintext: String)] = []
            for row in rows {
                let id = row.imageID
                do {
                    let stored = row.prompt
                    let plaintext = PromptEnvelope.looksLikeEnvelope(stored) ? try vault.decrypt(stored, binding: .prompt(of: id)) : stored
                    let prompt = try vault.upgrade(stored, binding: .prompt(of: id))
                    let negative = try row.negativePrompt.map { try vault.upgrade($0, binding: .negativePrompt(of: id)) }
                    try rotateSidecar(of: id, filePath: row.filePath, report: &report)
                    updates.append((id, prompt, negative, plaintext))
                } catch {
                    skipped.append(id)
                    report.failures.append("image \(id): \(error)")
                }
            }
            try catalog.rewrapImagePrompts(updates.map { update in
                ImagePromptRewrap(imageID: update.id, prompt: update.prompt, negativePrompt: update.negative,
                                  searchTokens: search == .index ? try vault.searchTokens(for: update.plaintext) : nil)
            })
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
            let rows = try catalog.jobPromptsNotUnder(keyPrefix: currentPrefix, excluding: skipped, limit: batchSize)
            if rows.isEmpty { return }
            var updates: [StoredJobPrompts] = []
            for row in rows {
                let id = row.jobID
                do {
                    let prompt = try vault.upgrade(row.prompt, binding: .prompt(of: id))
                    let negative = try row.negativePrompt.map { try vault.upgrade($0, binding: .negativePrompt(of: id)) }
                    let reference = try row.reference.map { try rotatedReference($0, jobID: id) }
                    updates.append(StoredJobPrompts(jobID: id, prompt: prompt, negativePrompt: negative, reference: reference))
                } catch {
                    skipped.append(id)
                    report.failures.append("job \(id): \(error)")
                }
            }
            try catalog.rewrapJobPrompts(updates)
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
            try catalog.clearPromptWordIndex()
            return
        }
        var done = Set<String>()
        while true {
            let rows = try catalog.imagesToReindex(keyID: current, excluding: Array(done), limit: batchSize)
            if rows.isEmpty { return }
            var entries: [(imageID: String, tokens: [String])] = []
            for row in rows {
                done.insert(row.imageID)
                // An image whose prompt the ring cannot open keeps its tokens; the image rotation
                // above has already reported it.
                guard let plaintext = try? vault.decrypt(row.prompt, binding: .prompt(of: row.imageID)) else { continue }  // try?: the image rotation above already reported this prompt
                entries.append((row.imageID, try vault.searchTokens(for: plaintext)))
            }
            try catalog.replacePromptWords(entries)
            report.indexedImages += entries.count
            progress(report)
        }
    }
}
