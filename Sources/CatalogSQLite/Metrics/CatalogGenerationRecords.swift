import Foundation
import Catalog
import ImagegenCore

extension GenerationRecord {
    /// The record of a finished catalog job: what statistics, alerts and reports read.
    ///
    /// - provider: the plugin that had the job last (`"none"` when it never reached one, as serve labels it);
    /// - duration: submit → final state (creation → final state when it was never submitted);
    /// - cost: the job's recorded cost, nil (unknown) stays nil;
    /// - failure kind: from the job's error code (see `ProviderFailureKind(errorCode:message:)`);
    /// - quality: the mean quality score of the job's original images, when scored.
    ///
    /// One job is one record: a job that failed over to a second provider is recorded under the
    /// provider that finished it. Nil for a job that has not finished.
    public init?(job: Job, qualityScore: Double? = nil, imageID: String? = nil) {
        guard job.state.isTerminal, let finished = job.finishedAt else { return nil }
        let outcome: GenerationOutcome
        switch job.state {
        case .succeeded: outcome = .succeeded
        case .contentFiltered: outcome = .contentFiltered
        case .cancelled: outcome = .cancelled
        default: outcome = .failed
        }
        let start = job.submittedAt ?? job.createdAt
        self.init(jobID: job.id, imageID: imageID, model: job.model, provider: job.pluginID ?? Self.noProvider,
                  category: job.category, template: job.extra["template"], finishedAt: finished,
                  durationSeconds: max(0, finished.timeIntervalSince(start)), outcome: outcome,
                  failureKind: outcome == .failed ? ProviderFailureKind(errorCode: job.errorCode, message: job.errorMessage) : nil,
                  costUSD: job.costUSD, qualityScore: qualityScore)
    }

    /// The provider name of jobs that never reached a plugin.
    public static let noProvider = "none"
}

extension SQLiteCatalog {
    /// An index on the jobs' finish time, for the reads below (the alert loop runs them every 30 s).
    static let generationRecordSchema = CatalogModuleSchema(module: "metrics", migrations: [
        "CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (finished_at, id) WHERE finished_at IS NOT NULL;",
    ])

    /// Finished jobs as records, oldest first: those finished in `[from, before)` (either bound optional).
    public func generationRecords(finishedFrom from: Date? = nil, before: Date? = nil,
                                  limit: Int = 1_000_000) throws -> [GenerationRecord] {
        try migrate(Self.generationRecordSchema)
        return try database.query(Self.recordSelect + """
             WHERE j.finished_at IS NOT NULL AND (?1 IS NULL OR j.finished_at >= ?1) AND (?2 IS NULL OR j.finished_at < ?2)
            ORDER BY j.finished_at, j.id LIMIT ?3
            """, [from.map { .integer(ms($0)) } ?? .null, before.map { .integer(ms($0)) } ?? .null,
                  .integer(Int64(max(0, limit)))]).compactMap(Self.record(from:))
    }

    /// The last `limit` finished jobs as records, oldest first (the alert rules' recent window).
    public func latestGenerationRecords(limit: Int) throws -> [GenerationRecord] {
        try migrate(Self.generationRecordSchema)
        return try database.query(Self.recordSelect + """
             WHERE j.finished_at IS NOT NULL ORDER BY j.finished_at DESC, j.id DESC LIMIT ?1
            """, [.integer(Int64(max(0, limit)))]).compactMap(Self.record(from:)).reversed()
    }

    /// Jobs finished after `cursor` (all when nil), oldest first, at most `limit`, with the cursor to
    /// continue from: how the serve loop feeds each finished job to the metrics exactly once.
    public func generationRecords(after cursor: GenerationRecordCursor?, limit: Int = 1000) throws
        -> (records: [GenerationRecord], next: GenerationRecordCursor?) {
        try migrate(Self.generationRecordSchema)
        let rows = try database.query(Self.recordSelect + """
             WHERE j.finished_at IS NOT NULL AND (?1 IS NULL OR (j.finished_at, j.id) > (?1, ?2))
            ORDER BY j.finished_at, j.id LIMIT ?3
            """, [cursor.map { .integer(ms($0.finishedAt)) } ?? .null, .text(cursor?.jobID ?? ""),
                  .integer(Int64(max(1, limit)))])
        let records = rows.compactMap(Self.record(from:))
        let next = rows.last.map { r in
            GenerationRecordCursor(finishedAt: Date(timeIntervalSince1970: Double(r["finished_at"]?.int ?? 0) / 1000),
                                   jobID: r["id"]?.string ?? "")
        } ?? cursor
        return (records, next)
    }

    private static let recordSelect = """
        SELECT j.*,
          (SELECT AVG(i.quality_score) FROM images i
            WHERE i.job_id = j.id AND i.variant = 'original' AND i.quality_score IS NOT NULL) AS record_quality,
          (SELECT i.id FROM images i WHERE i.job_id = j.id AND i.variant = 'original'
            ORDER BY i.output_index LIMIT 1) AS record_image
        FROM jobs j
        """

    private static func record(from row: SQLiteDatabase.Row) -> GenerationRecord? {
        GenerationRecord(job: job(from: row), qualityScore: row["record_quality"]?.double, imageID: row["record_image"]?.string)
    }
}
