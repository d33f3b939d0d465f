import Foundation
import ImagegenJSON
import Synchronization
import Catalog
import Crypto
import ImagegenCore

/// The catalog's prompt protection, set once the key ring is known (`protectPrompts(with:)`).
/// A catalog opened without one (tests, benchmarks, tools) stores and returns values as they are.
public final class CatalogPromptGuard: Sendable {
    private let slot = Mutex<PromptProtection?>(nil)

    public init() {}

    package var protection: PromptProtection? { slot.withLock { $0 } }

    package func set(_ protection: PromptProtection) { slot.withLock { $0 = protection } }
}

/// Prompts at rest in the catalog: `jobs.prompt/negative_prompt/job_ref` and
/// `images.prompt/negative_prompt` hold envelopes; every read of a job or image opens them, so
/// the rest of the host (runner, CLI, API, derivatives) works with plaintext and writes of new
/// rows (derivatives too) are sealed with their own record id.
extension SQLiteCatalog {
    /// From now on prompts are sealed on write and opened on read. Also turns on `secure_delete`
    /// so rows rewritten by a key rotation leave no old ciphertext (or legacy plaintext) behind
    /// in free pages.
    public func protectPrompts(with protection: PromptProtection) throws {
        try migrate(SecuritySchema.schema)
        try database.execute("PRAGMA secure_delete=ON")
        promptGuard.set(protection)
    }

    public var promptProtection: PromptProtection? { promptGuard.protection }

    // MARK: - Writing

    func sealedText(_ text: String, _ binding: EnvelopeBinding) throws -> String {
        guard let protection = promptProtection else { return text }
        return try protection.seal(text, binding: binding)
    }

    func sealedValue(_ text: String?, _ binding: EnvelopeBinding) throws -> SQLiteDatabase.Value {
        guard let text else { return .null }
        return .text(try sealedText(text, binding))
    }

    /// The `job_ref` column text for a provider reference.
    func sealedReference(_ reference: JSONValue, jobID: String) throws -> String {
        guard let protection = promptProtection else { return String(decoding: reference.encoded(), as: UTF8.self) }
        return try protection.sealReference(reference, jobID: jobID)
    }

    /// `imageBindings` with the prompt fields sealed (bound to this image's id).
    func sealedImageBindings(_ record: ImageRecord, outputIndex: Int?, pluginID: String?,
                             providerModel: String?) throws -> [SQLiteDatabase.Value] {
        var sealed = record
        sealed.prompt = try sealedText(record.prompt, .prompt(of: record.imageID))
        sealed.negativePrompt = try record.negativePrompt.map { try sealedText($0, .negativePrompt(of: record.imageID)) }
        return try SQLiteCatalog.imageBindings(sealed, outputIndex: outputIndex, pluginID: pluginID, providerModel: providerModel)
    }

    /// Adds the image's prompt words to the keyed-hash index (inside the caller's transaction).
    func indexPromptWords(of record: ImageRecord) throws {
        guard let protection = promptProtection, protection.search == .index, let vault = protection.vault else { return }
        // One statement per 500 words instead of one per word (statements per job are a cost the
        // pipeline benchmark counts); its text depends only on the count, so it is prepared once
        // per count, and 500 rows stay far below SQLite's limit on bound variables.
        let tokens = try vault.searchTokens(for: record.prompt)
        for start in stride(from: 0, to: tokens.count, by: 500) {
            let chunk = tokens[start..<min(start + 500, tokens.count)]
            let rows = Array(repeating: "(?, ?)", count: chunk.count).joined(separator: ", ")
            try database.query("INSERT INTO prompt_words (token, image_id) VALUES \(rows) ON CONFLICT DO NOTHING",
                               chunk.flatMap { [.text($0), .text(record.imageID)] })
        }
    }

    // MARK: - Reading

    /// A job row with its prompts and reference opened (`[encrypted]` where they cannot be).
    func jobRecord(from row: SQLiteDatabase.Row) -> Job {
        var job = SQLiteCatalog.job(from: row)
        guard let protection = promptProtection else { return job }
        job.prompt = protection.openForDisplay(job.prompt, binding: .prompt(of: job.id))
        job.negativePrompt = job.negativePrompt.map { protection.openForDisplay($0, binding: .negativePrompt(of: job.id)) }
        job.jobRef = protection.openReference(job.jobRef, jobID: job.id)
        return job
    }

    /// An image row with its prompts opened (`[encrypted]` where they cannot be).
    public func imageRecord(from row: SQLiteDatabase.Row) -> ImageRecord {
        var image = SQLiteCatalog.image(from: row)
        guard let protection = promptProtection else { return image }
        image.prompt = protection.openForDisplay(image.prompt, binding: .prompt(of: image.imageID))
        image.negativePrompt = image.negativePrompt.map { protection.openForDisplay($0, binding: .negativePrompt(of: image.imageID)) }
        return image
    }

    /// One image with its prompts, or an error saying why they cannot be read (`images show`).
    public func image(revealingPrompts id: String) throws -> ImageRecord? {
        guard let row = try database.query("SELECT * FROM images WHERE id = ?", [.text(id)]).first else { return nil }
        var image = SQLiteCatalog.image(from: row)
        guard let protection = promptProtection else { return image }
        image.prompt = try protection.open(image.prompt, binding: .prompt(of: image.imageID))
        image.negativePrompt = try image.negativePrompt.map { try protection.open($0, binding: .negativePrompt(of: image.imageID)) }
        return image
    }

    /// Whether a job's prompt can be opened now (the runner never sends `[encrypted]`).
    public func jobPromptIsReadable(_ id: String) throws -> Bool {
        guard let protection = promptProtection else { return true }
        guard let row = try database.query("SELECT prompt, negative_prompt FROM jobs WHERE id = ?", [.text(id)]).first else { return false }
        let prompt = row["prompt"]?.string ?? ""
        let negative = row["negative_prompt"]?.string
        return protection.isReadable(prompt, binding: .prompt(of: id))
            && (negative.map { protection.isReadable($0, binding: .negativePrompt(of: id)) } ?? true)
    }

    // MARK: - Search

    /// Images whose prompt contains every word of `query` (case and accents folded), newest
    /// first, within `filter`. With the word index: a lookup of keyed hashes (one per key of the
    /// ring, so rows not yet rotated match too); else decrypt-on-read over the filtered rows.
    public func images(matchingPromptWords query: String, filter: ImageFilter) throws -> [ImageRecord] {
        guard let protection = promptProtection else {
            let words = Set(PromptSearchIndex.words(in: query))
            return try scanned(filter) { Set(PromptSearchIndex.words(in: $0.prompt)).isSuperset(of: words) }
        }
        guard let vault = protection.vault else { throw PromptAccessError.locked(reason: protection.lockedReason ?? "no key") }
        let groups = try vault.queryTokens(for: query)
        guard !groups.isEmpty else { return [] }
        if protection.search == .index {
            var sql = Self.filteredImagesSQL
            var bindings = Self.filterBindings(filter)
            for group in groups {
                sql += " AND id IN (SELECT image_id FROM prompt_words WHERE token IN (SELECT value FROM json_each(?)))"
                bindings.append(.text(try SQLiteCatalog.encode(group)))
            }
            sql += " ORDER BY generated_at DESC, id DESC LIMIT ?"
            bindings.append(.integer(Int64(filter.limit)))
            return try database.query(sql, bindings).map(imageRecord(from:))
        }
        let words = Set(PromptSearchIndex.words(in: query))
        return try scanned(filter) { Set(PromptSearchIndex.words(in: $0.prompt)).isSuperset(of: words) }
    }

    private func scanned(_ filter: ImageFilter, where matches: (ImageRecord) -> Bool) throws -> [ImageRecord] {
        var bindings = Self.filterBindings(filter)
        bindings.append(.integer(-1))
        var out: [ImageRecord] = []
        for row in try database.query(Self.filteredImagesSQL + " ORDER BY generated_at DESC, id DESC LIMIT ?", bindings) {
            let image = imageRecord(from: row)
            if matches(image) { out.append(image) }
            if out.count >= filter.limit { break }
        }
        return out
    }

    /// The conditions of `images(_:)`, as one SELECT to extend.
    static let filteredImagesSQL = """
        SELECT * FROM images WHERE (?1 IS NULL OR category = ?1) AND (?2 IS NULL OR model = ?2)
          AND (?3 IS NULL OR generated_at >= ?3) AND (?4 IS NULL OR status = ?4)
          AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(images.tags) WHERE value = ?5))
          AND (?6 IS NULL OR job_id = ?6) AND (?7 = 1 OR variant = 'original')
        """

    static func filterBindings(_ filter: ImageFilter) -> [SQLiteDatabase.Value] {
        [filter.category.map { .text($0) } ?? .null, filter.model.map { .text($0) } ?? .null,
         filter.since.map { .integer(TimeBounds.milliseconds($0)) } ?? .null,
         filter.status.map { .text($0) } ?? .null, filter.tag.map { .text($0) } ?? .null,
         filter.jobID.map { .text($0) } ?? .null, .integer(filter.includeDerivatives ? 1 : 0)]
    }
}
