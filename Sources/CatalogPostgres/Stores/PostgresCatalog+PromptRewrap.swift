import Catalog
import CatalogSQLite

/// Key rotation over `images`, `jobs` and `prompt_words`, as on SQLite. Selection is by the
/// envelope prefix; `job_ref` holds a JSON string, so its prefix starts with a quote.
extension PostgresCatalog: PromptRewrapStore {
    package func prepareForPromptRewrap() throws {}

    package func holdsEncryptedPrompts() throws -> Bool {
        !(try db.query("""
            (SELECT 1 FROM jobs WHERE prompt LIKE 'enc:%' LIMIT 1) UNION ALL (SELECT 1 FROM images WHERE prompt LIKE 'enc:%' LIMIT 1)
            """)).isEmpty
    }

    package func promptKeyCensus() throws -> PromptKeyCensus {
        var census = PromptKeyCensus()
        for sql in ["SELECT CASE WHEN prompt LIKE 'enc:v1:%' THEN substr(prompt, 8, 8) ELSE '' END AS k, COUNT(*) AS n FROM images GROUP BY 1",
                    "SELECT CASE WHEN prompt LIKE 'enc:v1:%' THEN substr(prompt, 8, 8) ELSE '' END AS k, COUNT(*) AS n FROM jobs GROUP BY 1"] {
            for row in try db.query(sql) {
                let key = row["k"]?.string ?? ""
                let n = Int(row["n"]?.int ?? 0)
                if key.isEmpty { census.plaintext += n } else { census.byKey[key, default: 0] += n }
            }
        }
        return census
    }

    private static let imageNotUnderKey =
        "(prompt NOT LIKE $1 OR (negative_prompt IS NOT NULL AND negative_prompt NOT LIKE $1))"

    private static let jobNotUnderKey =
        "(prompt NOT LIKE $1 OR (negative_prompt IS NOT NULL AND negative_prompt NOT LIKE $1) OR (job_ref IS NOT NULL AND job_ref NOT LIKE $2))"

    package func countPromptsNotUnder(keyPrefix: String) throws -> (images: Int, jobs: Int) {
        let images = try db.query("SELECT COUNT(*) AS n FROM images WHERE \(Self.imageNotUnderKey)", [.text(keyPrefix + "%")])
        let jobs = try db.query("SELECT COUNT(*) AS n FROM jobs WHERE \(Self.jobNotUnderKey)",
                                [.text(keyPrefix + "%"), .text("\"" + keyPrefix + "%")])
        return (Int(images.first?["n"]?.int ?? 0), Int(jobs.first?["n"]?.int ?? 0))
    }

    package func imagePromptsNotUnder(keyPrefix: String, excluding: [String], limit: Int) throws -> [StoredImagePrompts] {
        try db.query("""
            SELECT id, prompt, negative_prompt, file_path FROM images
            WHERE \(Self.imageNotUnderKey) AND id NOT IN (SELECT jsonb_array_elements_text($2::jsonb)) ORDER BY id LIMIT $3
            """, [.text(keyPrefix + "%"), .text(try SQLiteCatalog.encode(excluding)), .integer(Int64(limit))]).map { row in
            StoredImagePrompts(imageID: row["id"]?.string ?? "", prompt: row["prompt"]?.string ?? "",
                               negativePrompt: row["negative_prompt"]?.string, filePath: row["file_path"]?.string ?? "")
        }
    }

    package func rewrapImagePrompts(_ rewraps: [ImagePromptRewrap]) throws {
        try db.transaction {
            for rewrap in rewraps {
                try db.query("UPDATE images SET prompt = $1, negative_prompt = $2 WHERE id = $3",
                             [.text(rewrap.prompt), rewrap.negativePrompt.map { .text($0) } ?? .null, .text(rewrap.imageID)])
                if let tokens = rewrap.searchTokens { try replaceWords(of: rewrap.imageID, with: tokens) }
            }
        }
    }

    package func jobPromptsNotUnder(keyPrefix: String, excluding: [String], limit: Int) throws -> [StoredJobPrompts] {
        try db.query("""
            SELECT id, prompt, negative_prompt, job_ref FROM jobs
            WHERE \(Self.jobNotUnderKey) AND id NOT IN (SELECT jsonb_array_elements_text($3::jsonb)) ORDER BY id LIMIT $4
            """, [.text(keyPrefix + "%"), .text("\"" + keyPrefix + "%"), .text(try SQLiteCatalog.encode(excluding)),
                  .integer(Int64(limit))]).map { row in
            StoredJobPrompts(jobID: row["id"]?.string ?? "", prompt: row["prompt"]?.string ?? "",
                             negativePrompt: row["negative_prompt"]?.string, reference: row["job_ref"]?.string)
        }
    }

    package func rewrapJobPrompts(_ rewraps: [StoredJobPrompts]) throws {
        try db.transaction {
            for rewrap in rewraps {
                try db.query("UPDATE jobs SET prompt = $1, negative_prompt = $2, job_ref = $3 WHERE id = $4",
                             [.text(rewrap.prompt), rewrap.negativePrompt.map { .text($0) } ?? .null,
                              rewrap.reference.map { .text($0) } ?? .null, .text(rewrap.jobID)])
            }
        }
    }

    package func clearPromptWordIndex() throws {
        try db.query("DELETE FROM prompt_words")
    }

    package func imagesToReindex(keyID: String, excluding: [String], limit: Int) throws -> [StoredImagePrompts] {
        try db.query("""
            SELECT id, prompt FROM images
            WHERE (id IN (SELECT image_id FROM prompt_words WHERE token NOT LIKE $1)
                   OR id NOT IN (SELECT image_id FROM prompt_words))
              AND id NOT IN (SELECT jsonb_array_elements_text($2::jsonb)) ORDER BY id LIMIT $3
            """, [.text(keyID + ":%"), .text(try SQLiteCatalog.encode(excluding)), .integer(Int64(limit))]).map { row in
            StoredImagePrompts(imageID: row["id"]?.string ?? "", prompt: row["prompt"]?.string ?? "", negativePrompt: nil, filePath: "")
        }
    }

    package func replacePromptWords(_ tokens: [(imageID: String, tokens: [String])]) throws {
        try db.transaction {
            for entry in tokens { try replaceWords(of: entry.imageID, with: entry.tokens) }
        }
    }

    private func replaceWords(of imageID: String, with tokens: [String]) throws {
        try db.query("DELETE FROM prompt_words WHERE image_id = $1", [.text(imageID)])
        for token in tokens {
            try db.query("INSERT INTO prompt_words (token, image_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                         [.text(token), .text(imageID)])
        }
    }
}
