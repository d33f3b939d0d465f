import Catalog

/// Key rotation over `images`, `jobs` and `prompt_words`. A sealed value starts with the key's
/// envelope prefix; `job_ref` holds a JSON string, so its prefix starts with a quote.
extension SQLiteCatalog: PromptRewrapStore {
    public func prepareForPromptRewrap() throws {
        try migrate(SecuritySchema.schema)
    }

    public func holdsEncryptedPrompts() throws -> Bool {
        let rows = try database.query("""
            SELECT 1 FROM jobs WHERE prompt LIKE 'enc:%' UNION ALL SELECT 1 FROM images WHERE prompt LIKE 'enc:%' LIMIT 1
            """)
        return !rows.isEmpty
    }

    public func promptKeyCensus() throws -> PromptKeyCensus {
        var census = PromptKeyCensus()
        for table in ["images", "jobs"] {
            for row in try database.query("""
                SELECT CASE WHEN prompt LIKE 'enc:v1:%' THEN substr(prompt, 8, 8) ELSE '' END AS k, COUNT(*) AS n
                FROM \(table) GROUP BY k
                """) {
                let key = row["k"]?.string ?? ""
                let n = Int(row["n"]?.int ?? 0)
                if key.isEmpty { census.plaintext += n } else { census.byKey[key, default: 0] += n }
            }
        }
        return census
    }

    public func countPromptsNotUnder(keyPrefix: String) throws -> (images: Int, jobs: Int) {
        let images = try database.query("SELECT COUNT(*) AS n FROM images WHERE \(Self.imageNotUnderKey)", [.text(keyPrefix + "%")])
        let jobs = try database.query("SELECT COUNT(*) AS n FROM jobs WHERE \(Self.jobNotUnderKey)",
                                      [.text(keyPrefix + "%"), .text("\"" + keyPrefix + "%")])
        return (Int(images.first?["n"]?.int ?? 0), Int(jobs.first?["n"]?.int ?? 0))
    }

    private static let imageNotUnderKey =
        "(prompt NOT LIKE ?1 OR (negative_prompt IS NOT NULL AND negative_prompt NOT LIKE ?1))"

    private static let jobNotUnderKey =
        "(prompt NOT LIKE ?1 OR (negative_prompt IS NOT NULL AND negative_prompt NOT LIKE ?1) OR (job_ref IS NOT NULL AND job_ref NOT LIKE ?2))"

    public func imagePromptsNotUnder(keyPrefix: String, excluding: [String], limit: Int) throws -> [StoredImagePrompts] {
        try database.query("""
            SELECT id, prompt, negative_prompt, file_path FROM images
            WHERE \(Self.imageNotUnderKey) AND id NOT IN (SELECT value FROM json_each(?2)) ORDER BY id LIMIT ?3
            """, [.text(keyPrefix + "%"), .text(try SQLiteCatalog.encode(excluding)), .integer(Int64(limit))]).map { row in
            StoredImagePrompts(imageID: row["id"]?.string ?? "", prompt: row["prompt"]?.string ?? "",
                               negativePrompt: row["negative_prompt"]?.string, filePath: row["file_path"]?.string ?? "")
        }
    }

    public func rewrapImagePrompts(_ rewraps: [ImagePromptRewrap]) throws {
        try database.transaction {
            for rewrap in rewraps {
                try database.query("UPDATE images SET prompt = ?, negative_prompt = ? WHERE id = ?",
                                   [.text(rewrap.prompt), rewrap.negativePrompt.map { .text($0) } ?? .null, .text(rewrap.imageID)])
                if let tokens = rewrap.searchTokens { try replaceWords(of: rewrap.imageID, with: tokens) }
            }
        }
    }

    public func jobPromptsNotUnder(keyPrefix: String, excluding: [String], limit: Int) throws -> [StoredJobPrompts] {
        try database.query("""
            SELECT id, prompt, negative_prompt, job_ref FROM jobs
            WHERE \(Self.jobNotUnderKey) AND id NOT IN (SELECT value FROM json_each(?3)) ORDER BY id LIMIT ?4
            """, [.text(keyPrefix + "%"), .text("\"" + keyPrefix + "%"), .text(try SQLiteCatalog.encode(excluding)),
                  .integer(Int64(limit))]).map { row in
            StoredJobPrompts(jobID: row["id"]?.string ?? "", prompt: row["prompt"]?.string ?? "",
                             negativePrompt: row["negative_prompt"]?.string, reference: row["job_ref"]?.string)
        }
    }

    public func rewrapJobPrompts(_ rewraps: [StoredJobPrompts]) throws {
        try database.transaction {
            for rewrap in rewraps {
                try database.query("UPDATE jobs SET prompt = ?, negative_prompt = ?, job_ref = ? WHERE id = ?",
                                   [.text(rewrap.prompt), rewrap.negativePrompt.map { .text($0) } ?? .null,
                                    rewrap.reference.map { .text($0) } ?? .null, .text(rewrap.jobID)])
            }
        }
    }

    public func clearPromptWordIndex() throws {
        try database.query("DELETE FROM prompt_words")
    }

    public func imagesToReindex(keyID: String, excluding: [String], limit: Int) throws -> [StoredImagePrompts] {
        try database.query("""
            SELECT id, prompt FROM images
            WHERE (id IN (SELECT image_id FROM prompt_words WHERE token NOT LIKE ?1)
                   OR id NOT IN (SELECT image_id FROM prompt_words))
              AND id NOT IN (SELECT value FROM json_each(?2)) ORDER BY id LIMIT ?3
            """, [.text(keyID + ":%"), .text(try SQLiteCatalog.encode(excluding)), .integer(Int64(limit))]).map { row in
            StoredImagePrompts(imageID: row["id"]?.string ?? "", prompt: row["prompt"]?.string ?? "", negativePrompt: nil, filePath: "")
        }
    }

    public func replacePromptWords(_ tokens: [(imageID: String, tokens: [String])]) throws {
        try database.transaction {
            for entry in tokens { try replaceWords(of: entry.imageID, with: entry.tokens) }
        }
    }

    /// Inside the caller's transaction.
    private func replaceWords(of imageID: String, with tokens: [String]) throws {
        try database.query("DELETE FROM prompt_words WHERE image_id = ?", [.text(imageID)])
        for token in tokens {
            try database.query("INSERT INTO prompt_words (token, image_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                               [.text(token), .text(imageID)])
        }
    }
}
