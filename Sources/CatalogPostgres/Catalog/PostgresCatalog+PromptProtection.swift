import Foundation
import ImagegenJSON
import Catalog
import CatalogSQLite
import Crypto
import ImagegenCore

/// Prompts at rest, as on SQLite (`SQLiteCatalog+PromptProtection`): sealed on write with their
/// record's id, opened on every read. PostgreSQL has no `secure_delete`: rows rewritten by a key
/// rotation leave old tuples until VACUUM reclaims them (docs/scale-out.md).
extension PostgresCatalog: PromptProtectedStore, PromptRevealingImageStore {
    package func protectPrompts(with protection: PromptProtection) throws {
        promptGuard.set(protection)
    }

    package var promptProtection: PromptProtection? { promptGuard.protection }

    func sealedText(_ text: String, _ binding: EnvelopeBinding) throws -> String {
        guard let protection = promptProtection else { return text }
        return try protection.seal(text, binding: binding)
    }

    func sealedValue(_ text: String?, _ binding: EnvelopeBinding) throws -> PostgresDatabase.Value {
        guard let text else { return .null }
        return .text(try sealedText(text, binding))
    }

    func sealedReference(_ reference: JSONValue, jobID: String) throws -> String {
        guard let protection = promptProtection else { return String(decoding: reference.encoded(), as: UTF8.self) }
        return try protection.sealReference(reference, jobID: jobID)
    }

    func sealedImageBindings(_ record: ImageRecord, outputIndex: Int?, pluginID: String?,
                             providerModel: String?) throws -> [PostgresDatabase.Value] {
        var sealed = record
        sealed.prompt = try sealedText(record.prompt, .prompt(of: record.imageID))
        sealed.negativePrompt = try record.negativePrompt.map { try sealedText($0, .negativePrompt(of: record.imageID)) }
        return try SQLiteCatalog.imageBindings(sealed, outputIndex: outputIndex, pluginID: pluginID, providerModel: providerModel)
    }

    /// Adds the image's prompt words to the keyed-hash index (inside the caller's transaction).
    func indexPromptWords(of record: ImageRecord) throws {
        guard let protection = promptProtection, protection.search == .index, let vault = protection.vault else { return }
        for token in try vault.searchTokens(for: record.prompt) {
            try db.query("INSERT INTO prompt_words (token, image_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                         [.text(token), .text(record.imageID)])
        }
    }

    func jobRecord(from row: PostgresDatabase.Row) -> Job {
        var job = SQLiteCatalog.job(from: row)
        guard let protection = promptProtection else { return job }
        job.prompt = protection.openForDisplay(job.prompt, binding: .prompt(of: job.id))
        job.negativePrompt = job.negativePrompt.map { protection.openForDisplay($0, binding: .negativePrompt(of: job.id)) }
        job.jobRef = protection.openReference(job.jobRef, jobID: job.id)
        return job
    }

    func imageRecord(from row: PostgresDatabase.Row) -> ImageRecord {
        var image = SQLiteCatalog.image(from: row)
        guard let protection = promptProtection else { return image }
        image.prompt = protection.openForDisplay(image.prompt, binding: .prompt(of: image.imageID))
        image.negativePrompt = image.negativePrompt.map { protection.openForDisplay($0, binding: .negativePrompt(of: image.imageID)) }
        return image
    }

    package func image(revealingPrompts id: String) throws -> ImageRecord? {
        guard let row = try db.query("SELECT * FROM images WHERE id = $1", [.text(id)]).first else { return nil }
        var image = SQLiteCatalog.image(from: row)
        guard let protection = promptProtection else { return image }
        image.prompt = try protection.open(image.prompt, binding: .prompt(of: image.imageID))
        image.negativePrompt = try image.negativePrompt.map { try protection.open($0, binding: .negativePrompt(of: image.imageID)) }
        return image
    }

    package func jobPromptIsReadable(_ id: String) throws -> Bool {
        guard let protection = promptProtection else { return true }
        guard let row = try db.query("SELECT prompt, negative_prompt FROM jobs WHERE id = $1", [.text(id)]).first else { return false }
        let prompt = row["prompt"]?.string ?? ""
        let negative = row["negative_prompt"]?.string
        return protection.isReadable(prompt, binding: .prompt(of: id))
            && (negative.map { protection.isReadable($0, binding: .negativePrompt(of: id)) } ?? true)
    }

    /// Images whose prompt contains every word of `query`: the keyed-hash index when kept, else
    /// decrypt-on-read over the filtered rows (as on SQLite).
    package func images(matchingPromptWords query: String, filter: ImageFilter) throws -> [ImageRecord] {
        let words = Set(PromptSearchIndex.words(in: query))
        guard let protection = promptProtection else {
            return try scanned(filter) { Set(PromptSearchIndex.words(in: $0.prompt)).isSuperset(of: words) }
        }
        guard let vault = protection.vault else { throw PromptAccessError.locked(reason: protection.lockedReason ?? "no key") }
        let groups = try vault.queryTokens(for: query)
        guard !groups.isEmpty else { return [] }
        if protection.search == .index {
            var sql = Self.filteredImagesSQL
            var bindings = Self.filterBindings(filter)
            for group in groups {
                bindings.append(.text(try SQLiteCatalog.encode(group)))
                sql += " AND id IN (SELECT image_id FROM prompt_words WHERE token IN (SELECT jsonb_array_elements_text($\(bindings.count)::jsonb)))"
            }
            bindings.append(.integer(Int64(filter.limit)))
            sql += " ORDER BY generated_at DESC, id DESC LIMIT $\(bindings.count)"
            return try db.query(sql, bindings).map(imageRecord(from:))
        }
        return try scanned(filter) { Set(PromptSearchIndex.words(in: $0.prompt)).isSuperset(of: words) }
    }

    private func scanned(_ filter: ImageFilter, where matches: (ImageRecord) -> Bool) throws -> [ImageRecord] {
        var out: [ImageRecord] = []
        for row in try db.query(Self.filteredImagesSQL + " ORDER BY generated_at DESC, id DESC", Self.filterBindings(filter)) {
            let image = imageRecord(from: row)
            if matches(image) { out.append(image) }
            if out.count >= filter.limit { break }
        }
        return out
    }
}
