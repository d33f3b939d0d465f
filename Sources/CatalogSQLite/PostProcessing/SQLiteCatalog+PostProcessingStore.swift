import Foundation
import Glibc
import Catalog
import ImagegenCore
import Imaging

/// The catalog side of post-processing on SQLite: the `post_processing_runs` table beside the
/// derivatives' `images` rows. Every change is one transaction. Each method that touches the
/// runs table brings it up to date first (`migrate` is one indexed read once it is).
extension SQLiteCatalog: PostProcessingStore {
    /// Takes the next run number for `imageID` and records it as running, in one transaction
    /// (two processes never get the same number). Automatic triggers skip an image that has a
    /// finished run or `maxAttempts` failures.
    public func beginRun(imageID: String, profile: String, trigger: PostProcessingTrigger, maxAttempts: Int,
                  now: Date) throws(PostProcessingError) -> PostProcessingStart {
        do {
            try migrate(PostProcessingSchema.schema)
            return try db.transaction { () throws -> PostProcessingStart in
                let rows = try db.query("SELECT run, state, started_at, owner_pid FROM post_processing_runs WHERE image_id = ?",
                                        [.text(imageID)])
                let staleBefore = ms(now.addingTimeInterval(-PostProcessingLiveness.staleAfter))
                var abandoned: [Int] = []
                var failures = 0
                var last = 0
                for row in rows {
                    let run = Int(row["run"]?.int ?? 0)
                    last = max(last, run)
                    switch row["state"]?.string {
                    case "done":
                        if trigger.onlyWhenUnprocessed { return .skipped }
                    case "running":
                        if (row["started_at"]?.int ?? 0) > staleBefore && PostProcessingLiveness.isAlive(pid: row["owner_pid"]?.int) {
                            if trigger.onlyWhenUnprocessed { return .skipped }
                            throw PostProcessingError.alreadyRunning(imageID: imageID, run: run)
                        }
                        abandoned.append(run)
                    default:
                        failures += 1
                    }
                }
                if trigger.onlyWhenUnprocessed && failures >= maxAttempts { return .skipped }
                for run in abandoned {
                    try db.query("""
                        UPDATE post_processing_runs SET state = 'failed', finished_at = ?,
                            error = 'abandoned: the process rendering it stopped before it finished'
                        WHERE image_id = ? AND run = ?
                        """, [.integer(ms(now)), .text(imageID), .integer(Int64(run))])
                }
                try db.query("""
                    INSERT INTO post_processing_runs (image_id, run, profile, trigger, state, owner_pid, started_at)
                    VALUES (?, ?, ?, ?, 'running', ?, ?)
                    """, [.text(imageID), .integer(Int64(last + 1)), .text(profile), .text(trigger.rawValue),
                          .integer(Int64(getpid())), .integer(ms(now))])
                return .started(run: last + 1, abandoned: abandoned)
            }
        } catch let error as PostProcessingError {
            throw error
        } catch {
            throw .catalog(imageID: imageID, reason: "\(error)")
        }
    }

    /// Commits the derivatives of a run and marks it done, in one transaction: either every
    /// derivative row of the run is there or none is. Derivatives get no ledger entry (they
    /// cost nothing) and are kept out of the prompt-word index (searches find originals).
    public func completeRun(imageID: String, run: Int, derivatives: [ImageRecord], pluginID: String?, providerModel: String?,
                     enhancement: AppliedEnhancement, now: Date) throws(PostProcessingError) {
        do {
            try migrate(PostProcessingSchema.schema)
            try db.transaction {
                for record in derivatives {
                    try db.query("""
                        INSERT INTO images (id, job_id, output_index, version, parent_id, variant, status, category,
                            model, plugin_id, provider_model, prompt, negative_prompt, width, height, steps, guidance_scale, seed,
                            tags, file_path, mime, bytes, content_sha256, generated_at, processing_time_s, cost_usd, quality_score,
                            extra, quality, output_check)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, try sealedImageBindings(record, outputIndex: nil, pluginID: pluginID, providerModel: providerModel))
                }
                try db.query("""
                    UPDATE post_processing_runs SET state = 'done', derivatives = ?, enhancement = ?, error = NULL, finished_at = ?
                    WHERE image_id = ? AND run = ?
                    """, [.integer(Int64(derivatives.count)), .text(try SQLiteCatalog.encode(enhancement)), .integer(ms(now)),
                          .text(imageID), .integer(Int64(run))])
            }
        } catch {
            throw .catalog(imageID: imageID, reason: "\(error)")
        }
    }

    /// Records why a run failed (the message is shown by `images show` and counted against the
    /// image's automatic attempts). Best effort: a catalog that refuses this too leaves the run
    /// `running`, and it is abandoned once stale.
    public func failRun(imageID: String, run: Int, error: PostProcessingError, now: Date) {
        // try?: the caller throws the run's own error; a run this leaves `running` is marked failed ("abandoned") by the next beginRun once stale, so the attempt still counts
        _ = try? db.query("""
            UPDATE post_processing_runs SET state = 'failed', error = ?, finished_at = ? WHERE image_id = ? AND run = ?
            """, [.text(error.description), .integer(ms(now)), .text(imageID), .integer(Int64(run))])
    }

    /// The plugin and provider model columns of an original, copied to its derivatives.
    public func provenance(of imageID: String) throws -> (pluginID: String?, providerModel: String?) {
        let row = try db.query("SELECT plugin_id, provider_model FROM images WHERE id = ?", [.text(imageID)]).first
        return (row?["plugin_id"]?.string, row?["provider_model"]?.string)
    }

    // MARK: - Reads

    /// Every run of an image, oldest first.
    public func runs(of imageID: String) throws -> [PostProcessingRun] {
        try migrate(PostProcessingSchema.schema)
        return try db.query("SELECT * FROM post_processing_runs WHERE image_id = ? ORDER BY run", [.text(imageID)]).map { r in
            PostProcessingRun(
                imageID: r["image_id"]?.string ?? imageID, run: Int(r["run"]?.int ?? 0), profile: r["profile"]?.string ?? "",
                trigger: PostProcessingTrigger(rawValue: r["trigger"]?.string ?? "") ?? .automatic,
                state: PostProcessingRun.State(rawValue: r["state"]?.string ?? "") ?? .failed,
                derivativeCount: Int(r["derivatives"]?.int ?? 0),
                enhancement: SQLiteCatalog.decode(AppliedEnhancement.self, r["enhancement"]?.string),
                error: r["error"]?.string, startedAt: PostProcessingLiveness.date(r["started_at"]?.int) ?? Date(),
                finishedAt: PostProcessingLiveness.date(r["finished_at"]?.int))
        }
    }

    /// The derivatives of an original: by run, then in profile order as they were written.
    public func derivatives(of imageID: String) throws -> [ImageRecord] {
        try db.query("""
            SELECT * FROM images WHERE parent_id = ? AND variant <> 'original' ORDER BY version, rowid
            """, [.text(imageID)]).map(imageRecord(from:))
    }

    /// Stored originals that still need a run: none finished, fewer than `maxAttempts` failures.
    /// Oldest first. One being rendered right now is listed too; `beginRun` skips it.
    public func backlog(maxAttempts: Int, limit: Int) throws -> [String] {
        try migrate(PostProcessingSchema.schema)
        return try db.query("""
            SELECT i.id FROM images i
            WHERE i.variant = 'original' AND i.status = 'completed'
              AND NOT EXISTS (SELECT 1 FROM post_processing_runs r WHERE r.image_id = i.id AND r.state = 'done')
              AND (SELECT COUNT(*) FROM post_processing_runs r WHERE r.image_id = i.id AND r.state = 'failed') < ?1
            ORDER BY i.generated_at, i.id LIMIT ?2
            """, [.integer(Int64(maxAttempts)), .integer(Int64(limit))]).compactMap { $0["id"]?.string }
    }
}

/// When a `running` run is still being rendered and when it was left by a dead process.
enum PostProcessingLiveness {
    /// A `running` run older than this is abandoned even if a process with its pid exists (pids
    /// are reused; a run takes seconds).
    static let staleAfter: TimeInterval = 600

    /// Whether the process that started a run still exists (the data folder is local, so its
    /// processes are on this machine).
    static func isAlive(pid: Int64?) -> Bool {
        guard let pid, pid > 0, let p = pid_t(exactly: pid) else { return false }
        if p == getpid() { return true }
        return kill(p, 0) == 0 || errno == EPERM
    }

    static func date(_ ms: Int64?) -> Date? { ms.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
}
