import Foundation
import Glibc
import Catalog
import CatalogSQLite
import ImagegenCore
import Imaging

/// Post-processing runs on PostgreSQL. The image's runs are locked (`FOR UPDATE` on the image
/// row) while the next run number is taken, so two hosts never get the same number. A `running`
/// row started by another host is taken over only once stale (its pid means nothing here).
extension PostgresCatalog: PostProcessingStore {
    /// A `running` run older than this is abandoned (a run takes seconds).
    static let postProcessingStaleAfter: TimeInterval = 600

    package func beginRun(imageID: String, profile: String, trigger: PostProcessingTrigger, maxAttempts: Int,
                          now: Date) throws(PostProcessingError) -> PostProcessingStart {
        do {
            return try db.transaction { () throws -> PostProcessingStart in
                try db.query("SELECT id FROM images WHERE id = $1 FOR UPDATE", [.text(imageID)])
                let rows = try db.query("""
                    SELECT run, state, started_at, owner_pid, owner_host FROM post_processing_runs WHERE image_id = $1
                    """, [.text(imageID)])
                let staleBefore = ms(now.addingTimeInterval(-Self.postProcessingStaleAfter))
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
                        let here = row["owner_host"]?.string == HostIdentity.current.name
                        let alive = here ? Self.isAlive(pid: row["owner_pid"]?.int) : true
                        if (row["started_at"]?.int ?? 0) > staleBefore && alive {
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
                        UPDATE post_processing_runs SET state = 'failed', finished_at = $1,
                            error = 'abandoned: the process rendering it stopped before it finished'
                        WHERE image_id = $2 AND run = $3
                        """, [.integer(ms(now)), .text(imageID), .integer(Int64(run))])
                }
                try db.query("""
                    INSERT INTO post_processing_runs (image_id, run, profile, trigger, state, owner_pid, owner_host, started_at)
                    VALUES ($1, $2, $3, $4, 'running', $5, $6, $7)
                    """, [.text(imageID), .integer(Int64(last + 1)), .text(profile), .text(trigger.rawValue),
                          .integer(Int64(getpid())), .text(HostIdentity.current.name), .integer(ms(now))])
                return .started(run: last + 1, abandoned: abandoned)
            }
        } catch let error as PostProcessingError {
            throw error
        } catch {
            throw .catalog(imageID: imageID, reason: "\(error)")
        }
    }

    package func completeRun(imageID: String, run: Int, derivatives: [ImageRecord], pluginID: String?, providerModel: String?,
                             enhancement: AppliedEnhancement, now: Date) throws(PostProcessingError) {
        do {
            try db.transaction {
                for record in derivatives {
                    try db.query(Self.insertImageSQL,
                                 try sealedImageBindings(record, outputIndex: nil, pluginID: pluginID, providerModel: providerModel))
                }
                try db.query("""
                    UPDATE post_processing_runs SET state = 'done', derivatives = $1, enhancement = $2, error = NULL, finished_at = $3
                    WHERE image_id = $4 AND run = $5
                    """, [.integer(Int64(derivatives.count)), .text(try SQLiteCatalog.encode(enhancement)), .integer(ms(now)),
                          .text(imageID), .integer(Int64(run))])
            }
        } catch {
            throw .catalog(imageID: imageID, reason: "\(error)")
        }
    }

    package func failRun(imageID: String, run: Int, error: PostProcessingError, now: Date) {
        _ = try? db.query(  // try?: the caller throws the run's own error; a run this leaves `running` is marked failed ("abandoned") by the next beginRun once stale, so the attempt still counts
            """
            UPDATE post_processing_runs SET state = 'failed', error = $1, finished_at = $2 WHERE image_id = $3 AND run = $4
            """, [.text(error.description), .integer(ms(now)), .text(imageID), .integer(Int64(run))])
    }

    package func provenance(of imageID: String) throws -> (pluginID: String?, providerModel: String?) {
        let row = try db.query("SELECT plugin_id, provider_model FROM images WHERE id = $1", [.text(imageID)]).first
        return (row?["plugin_id"]?.string, row?["provider_model"]?.string)
    }

    package func runs(of imageID: String) throws -> [PostProcessingRun] {
        try db.query("SELECT * FROM post_processing_runs WHERE image_id = $1 ORDER BY run", [.text(imageID)]).map { r in
            PostProcessingRun(
                imageID: r["image_id"]?.string ?? imageID, run: Int(r["run"]?.int ?? 0), profile: r["profile"]?.string ?? "",
                trigger: PostProcessingTrigger(rawValue: r["trigger"]?.string ?? "") ?? .automatic,
                state: PostProcessingRun.State(rawValue: r["state"]?.string ?? "") ?? .failed,
                derivativeCount: Int(r["derivatives"]?.int ?? 0),
                enhancement: SQLiteCatalog.decode(AppliedEnhancement.self, r["enhancement"]?.string),
                error: r["error"]?.string, startedAt: Self.date(r["started_at"]?.int) ?? Date(),
                finishedAt: Self.date(r["finished_at"]?.int))
        }
    }

    package func derivatives(of imageID: String) throws -> [ImageRecord] {
        try db.query("SELECT * FROM images WHERE parent_id = $1 AND variant <> 'original' ORDER BY version, seq",
                     [.text(imageID)]).map(imageRecord(from:))
    }

    package func backlog(maxAttempts: Int, limit: Int) throws -> [String] {
        try db.query("""
            SELECT i.id FROM images i
            WHERE i.variant = 'original' AND i.status = 'stored'
              AND NOT EXISTS (SELECT 1 FROM post_processing_runs r WHERE r.image_id = i.id AND r.state = 'done')
              AND (SELECT COUNT(*) FROM post_processing_runs r WHERE r.image_id = i.id AND r.state = 'failed') < $1
            ORDER BY i.generated_at, i.id LIMIT $2
            """, [.integer(Int64(maxAttempts)), .integer(Int64(limit))]).compactMap { $0["id"]?.string }
    }

    static func isAlive(pid: Int64?) -> Bool {
        guard let pid, pid > 0, let p = pid_t(exactly: pid) else { return false }
        if p == getpid() { return true }
        return kill(p, 0) == 0 || errno == EPERM
    }

    static func date(_ ms: Int64?) -> Date? { ms.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
}
