import Foundation
import Synchronization
import ImagegenJSON
import Catalog
import ImagegenCore

/// The catalog on SQLite (WAL, STRICT tables): jobs, images and the ledger. Every state change
/// is a committed transaction before the next side effect, which is what lets a killed host
/// resume without losing or repeating anything.
///
/// This is the only type that writes SQL; a PostgreSQL catalog would be a second
/// implementation of `CatalogStore`.
package final class SQLiteCatalog: CatalogStore, @unchecked Sendable {
    package let db: SQLiteDatabase
    package let path: String
    /// Modules brought up to date through this connection: stores call `migrate(_:)` before
    /// their queries, and once a module is current its check need not be read again.
    private let currentModules = Mutex<Set<String>>([])
    /// Seals prompts on write and opens them on read once a key is known (Security/).
    package let promptGuard = CatalogPromptGuard()
    /// This process's last heartbeat: the only host of a SQLite catalog (`HostRegistry`).
    let lastHeartbeat = Mutex<HostHeartbeat?>(nil)

    package init(path: String, synchronousFull: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        db = try SQLiteDatabase(path: path)
        self.path = path
        try db.execute("PRAGMA journal_mode=WAL")
        // NORMAL survives a killed process (the WAL is in the page cache); FULL also survives
        // power loss at the cost of an fsync per commit.
        try db.execute("PRAGMA synchronous=\(synchronousFull ? "FULL" : "NORMAL")")
        try db.execute("PRAGMA foreign_keys=ON")
        try migrate()
        // The security module's tables (quota counts, remembered state) exist from the start, so
        // a quota count saved before anything read it is kept rather than failing on a missing
        // table.
        try migrate(SecuritySchema.schema)
    }

    func migrate() throws {
        let version = Int(try db.query("PRAGMA user_version").first?["user_version"]?.int ?? 0)
        guard version <= CatalogSchema.migrations.count else {
            throw SQLiteDatabase.Failure(code: 0, message: "the catalog \(path) has schema version \(version), newer than this imagegen (\(CatalogSchema.migrations.count)); upgrade imagegen")
        }
        for (i, sql) in CatalogSchema.migrations.enumerated() where i >= version {
            try db.transaction {
                try db.execute(sql)
                try db.execute("PRAGMA user_version=\(i + 1)")
            }
        }
    }

    /// Brings a module's tables up to date (each migration in its own transaction).
    package func migrate(_ schema: CatalogModuleSchema) throws {
        if currentModules.withLock({ $0.contains(schema.module) }) { return }
        let current = Int(try db.query("SELECT version FROM module_schema WHERE module = ?", [.text(schema.module)])
            .first?["version"]?.int ?? 0)
        guard current <= schema.migrations.count else {
            throw SQLiteDatabase.Failure(code: 0, message: "the catalog's \(schema.module) tables have version \(current), newer than this imagegen; upgrade imagegen")
        }
        for (i, sql) in schema.migrations.enumerated() where i >= current {
            try db.transaction {
                try db.execute(sql)
                try db.query("INSERT INTO module_schema (module, version) VALUES (?, ?) ON CONFLICT (module) DO UPDATE SET version = excluded.version",
                             [.text(schema.module), .integer(Int64(i + 1))])
            }
        }
        currentModules.withLock { _ = $0.insert(schema.module) }
    }

    /// The catalog schema's version (`PRAGMA user_version`); a failed read throws rather than
    /// reporting 0, which would claim an empty catalog.
    package var schemaVersion: Int {
        get throws { Int(try db.query("PRAGMA user_version").first?["user_version"]?.int ?? 0) }
    }

    // MARK: - Enqueue with reservations

    package func enqueue(_ jobs: [NewJob], budgets: BudgetPolicy, now: Date, allowPartial: Bool) throws -> [Job] {
        try db.transaction {
            var accepted: [Job] = []
            var inserted: [NewJob] = []
            for (n, new) in jobs.enumerated() {
                if let key = new.idempotencyKey,
                   let existing = try db.query("SELECT * FROM jobs WHERE idempotency_key = ?", [.text(key)]).first {
                    accepted.append(jobRecord(from: existing))
                    continue
                }
                if let cost = new.expectedCost, cost > 0 {
                    for w in budgets.windows(category: new.category, at: now) {
                        let (spent, reserved) = try spending(in: w)
                        if spent + reserved + cost > w.limit + 1e-9 {
                            if allowPartial && n > 0 { return accepted }
                            // The refusal rolls back this request's earlier jobs: their reservations are
                            // part of what it asks for, not "reserved by running jobs".
                            let own = inserted.filter { j in budgets.windows(category: j.category, at: now).contains { $0.name == w.name } }
                                .compactMap(\.expectedCost).reduce(0, +)
                            throw BudgetRefusal(budget: w.name, limit: w.limit, spent: spent, reserved: max(reserved - own, 0),
                                                requested: own + jobs[n...].compactMap(\.expectedCost).reduce(0, +), resetsAt: w.end)
                        }
                    }
                }
                try insert(new, now: now)
                inserted.append(new)
                accepted.append(try job(new.id)!)
            }
            return accepted
        }
    }

    /// Spent (ledger, known costs) and reserved (active jobs) in a budget window.
    func spending(in w: BudgetPolicy.Window) throws -> (Double, Double) {
        let cat = w.category.map { SQLiteDatabase.Value.text($0) } ?? .null
        let spent = try db.query("""
            SELECT COALESCE(SUM(cost_usd), 0) AS s FROM ledger WHERE at >= ? AND at < ? AND (?3 IS NULL OR category = ?3)
            """, [.integer(ms(w.start)), .integer(ms(w.end)), cat]).first?["s"]?.double ?? 0
        let reserved = try db.query("""
            SELECT COALESCE(SUM(reserved_usd), 0) AS r FROM jobs
            WHERE state IN ('queued','submitting','submitted','running') AND (?1 IS NULL OR category = ?1)
            """, [cat]).first?["r"]?.double ?? 0
        return (spent, reserved)
    }

    func insert(_ j: NewJob, now: Date) throws {
        try db.query("""
            INSERT INTO jobs (id, batch_id, state, model, category, priority, prompt, negative_prompt, width, height, steps,
                              guidance_scale, seed, outputs, extra, reserved_usd, created_at, updated_at, deadline_at,
                              idempotency_key)
            VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(j.id), .text(j.batchID), .text(j.model), .text(j.category), .integer(Int64(j.priority)),
                  .text(try sealedText(j.prompt, .prompt(of: j.id))), try sealedValue(j.negativePrompt, .negativePrompt(of: j.id)), .integer(Int64(j.parameters.width)),
                  .integer(Int64(j.parameters.height)), j.parameters.steps.map { .integer(Int64($0)) } ?? .null,
                  j.parameters.guidanceScale.map { .real($0) } ?? .null, .integer(Int64(j.parameters.seed ?? 0)),
                  .integer(Int64(j.outputs)), .text(try SQLiteCatalog.encode(JobExtra(extra: j.extra, tags: j.tags))),
                  j.expectedCost.map { .real($0) } ?? .null, .integer(ms(now)), .integer(ms(now)), .integer(ms(j.deadline)),
                  j.idempotencyKey.map { .text($0) } ?? .null])
    }

    // MARK: - Job transitions

    package func nextQueued() throws -> Job? {
        try db.query("""
            SELECT * FROM jobs WHERE state = 'queued' AND cancel_requested = 0 ORDER BY priority DESC, created_at, id LIMIT 1
            """).first.map(jobRecord(from:))
    }

    package func queuedJobs(limit: Int, models: [String]?) throws -> [Job] {
        guard let models else {
            return try db.query("""
                SELECT * FROM jobs WHERE state = 'queued' AND cancel_requested = 0 ORDER BY priority DESC, created_at, id LIMIT ?
                """, [.integer(Int64(limit))]).map(jobRecord(from:))
        }
        return try db.query("""
            SELECT * FROM jobs WHERE state = 'queued' AND cancel_requested = 0 AND model IN (SELECT value FROM json_each(?))
            ORDER BY priority DESC, created_at, id LIMIT ?
            """, [.text(try SQLiteCatalog.encode(models)), .integer(Int64(limit))]).map(jobRecord(from:))
    }

    package func unfinishedJobs() throws -> [Job] {
        try db.query("SELECT * FROM jobs WHERE state IN ('submitting','submitted','running') ORDER BY created_at")
            .map(jobRecord(from:))
    }

    /// One host per data folder (the runner lock): no other host's jobs to take over.
    package func takeOverLapsedJobs(models: [String]?) throws -> [Job] { [] }

    /// One host per data folder: nobody else could take its jobs, so there are no claims.
    package func renewClaims(jobIDs: [String]) throws {}
    package var claimLeaseSeconds: Double? { nil }

    package func markSubmitting(_ id: String, plugin: String, providerModel: String, generation: Int, tried: [String], now: Date) throws {
        try db.query("""
            UPDATE jobs SET state = 'submitting', plugin_id = ?, provider_model = ?, plugin_generation = ?,
                            submit_count = submit_count + 1, tried = ?, updated_at = ? WHERE id = ?
            """, [.text(plugin), .text(providerModel), .integer(Int64(generation)),
                  .text(try SQLiteCatalog.encode(tried)), .integer(ms(now)), .text(id)])
    }

    package func recordSubmitted(_ id: String, ref: JSONValue, state: JobState, progress: Double?, now: Date) throws {
        try db.query("""
            UPDATE jobs SET state = ?, job_ref = ?, progress = ?, submitted_at = ?, updated_at = ? WHERE id = ?
            """, [.text(state.rawValue), .text(try sealedReference(ref, jobID: id)), progress.map { .real($0) } ?? .null,
                  .integer(ms(now)), .integer(ms(now)), .text(id)])
    }

    package func recordProgress(_ id: String, state: JobState, progress: Double?, ref: JSONValue?, now: Date) throws {
        if let ref {
            try db.query("UPDATE jobs SET state = ?, progress = ?, job_ref = ?, updated_at = ? WHERE id = ?",
                         [.text(state.rawValue), progress.map { .real($0) } ?? .null,
                          .text(try sealedReference(ref, jobID: id)), .integer(ms(now)), .text(id)])
        } else {
            try db.query("UPDATE jobs SET state = ?, progress = ?, updated_at = ? WHERE id = ?",
                         [.text(state.rawValue), progress.map { .real($0) } ?? .null, .integer(ms(now)), .text(id)])
        }
    }

    /// Puts a job back in the queue (a submit the provider did not accept, to be retried).
    package func requeue(_ id: String, tried: [String], error: (String, String)?, now: Date) throws {
        try db.query("""
            UPDATE jobs SET state = 'queued', tried = ?, error_code = ?, error_message = ?, updated_at = ? WHERE id = ?
            """, [.text(try SQLiteCatalog.encode(tried)), error.map { .text($0.0) } ?? .null, error.map { .text($0.1) } ?? .null,
                  .integer(ms(now)), .text(id)])
    }

    /// Stores one image's row and its ledger entry together. Idempotent per (job, output): only a
    /// uniqueness conflict is skipped (`ON CONFLICT DO NOTHING`), never a failed CHECK — `OR IGNORE`
    /// skipped those too, and an image or a charge vanished without an error.
    package func storeImage(_ record: ImageRecord, outputIndex: Int, pluginID: String?, providerModel: String?,
                           costSource: String) throws {
        try db.transaction {
            try db.query("""
                INSERT INTO images (id, job_id, output_index, version, parent_id, variant, status, category, model,
                    plugin_id, provider_model, prompt, negative_prompt, width, height, steps, guidance_scale, seed, tags,
                    file_path, mime, bytes, content_sha256, generated_at, processing_time_s, cost_usd, quality_score, extra, quality,
                    output_check)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """, try sealedImageBindings(record, outputIndex: outputIndex, pluginID: pluginID, providerModel: providerModel))
            try indexPromptWords(of: record)
            guard let jobID = record.jobID, record.variant == "original" else { return }
            try db.query("""
                INSERT INTO ledger (job_id, image_id, at, model, plugin_id, category, cost_usd, source)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """, [.text(jobID), .text(record.imageID), .integer(ms(try SQLiteCatalog.date(record.metadata.generatedAt))),
                      .text(record.model), pluginID.map { .text($0) } ?? .null, .text(record.category),
                      record.metadata.cost.map { .real($0) } ?? .null, .text(costSource)])
        }
    }

    /// Ends a job: its reservation is released and the actual cost recorded.
    package func finish(_ id: String, state: JobState, cost: Double?, costSource: String?, providerTime: Double?,
                       error: (String, String)?, now: Date) throws {
        try db.query("""
            UPDATE jobs SET state = ?, reserved_usd = NULL, cost_usd = ?, cost_source = ?, provider_time_s = ?,
                            error_code = ?, error_message = ?, progress = CASE WHEN ? = 'succeeded' THEN 1 ELSE progress END,
                            finished_at = ?, updated_at = ? WHERE id = ?
            """, [.text(state.rawValue), cost.map { .real($0) } ?? .null, costSource.map { .text($0) } ?? .null,
                  providerTime.map { .real($0) } ?? .null, error.map { .text($0.0) } ?? .null,
                  error.map { .text($0.1) } ?? .null, .text(state.rawValue), .integer(ms(now)), .integer(ms(now)), .text(id)])
    }

    /// Asks for a job to stop. A queued job is cancelled at once; a running one is cancelled
    /// by the runner at its next step. Returns the job as it is now.
    package func requestCancel(_ id: String, now: Date) throws -> Job? {
        try db.transaction {
            guard let job = try job(id) else { return nil }
            guard !job.state.isTerminal else { return job }
            if job.state == .queued {
                try db.query("""
                    UPDATE jobs SET state = 'cancelled', cancel_requested = 1, reserved_usd = NULL, error_code = 'cancelled',
                                    error_message = 'cancelled before it was sent to a provider', finished_at = ?, updated_at = ?
                    WHERE id = ?
                    """, [.integer(ms(now)), .integer(ms(now)), .text(id)])
            } else {
                try db.query("UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?", [.integer(ms(now)), .text(id)])
            }
            return try self.job(id)
        }
    }

    // MARK: - Reads

    package func job(_ id: String) throws -> Job? {
        try db.query("SELECT * FROM jobs WHERE id = ?", [.text(id)]).first.map(jobRecord(from:))
    }

    package func cancelRequested(_ id: String) throws -> Bool {
        (try db.query("SELECT cancel_requested FROM jobs WHERE id = ?", [.text(id)]).first?["cancel_requested"]?.int ?? 0) != 0
    }

    package func jobs(state: JobState?, batch: String?, limit: Int) throws -> [Job] {
        try db.query("""
            SELECT * FROM jobs WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR batch_id = ?2)
            ORDER BY created_at DESC, id DESC LIMIT ?3
            """, [state.map { .text($0.rawValue) } ?? .null, batch.map { .text($0) } ?? .null, .integer(Int64(limit))])
            .map(jobRecord(from:))
    }

    package func jobs(ids: [String]) throws -> [Job] {
        try db.query("SELECT * FROM jobs WHERE id IN (SELECT value FROM json_each(?))", [.text(try SQLiteCatalog.encode(ids))])
            .map(jobRecord(from:))
    }

    package func countJobs(state: JobState) throws -> Int {
        Int(try db.query("SELECT COUNT(*) AS n FROM jobs WHERE state = ?", [.text(state.rawValue)]).first?["n"]?.int ?? 0)
    }

    package func image(_ id: String) throws -> ImageRecord? {
        try db.query("SELECT * FROM images WHERE id = ?", [.text(id)]).first.map(imageRecord(from:))
    }

    package func images(_ filter: ImageFilter) throws -> [ImageRecord] {
        if ImageQuery.needsJoins(filter) { try migrateListingTables() }
        let query = ImageQuery(filter, joined: false, ms: ms)
        return try db.query(query.sql, query.bindings).map(imageRecord(from:))
    }

    package func ledger(since: Date?) throws -> [LedgerEntry] {
        try db.query("""
            SELECT * FROM ledger WHERE (?1 IS NULL OR at >= ?1) ORDER BY at, id
            """, [since.map { .integer(ms($0)) } ?? .null]).map { r in
            LedgerEntry(jobID: r["job_id"]?.string ?? "", imageID: r["image_id"]?.string,
                        at: Date(timeIntervalSince1970: Double(r["at"]?.int ?? 0) / 1000), model: r["model"]?.string ?? "",
                        plugin: r["plugin_id"]?.string, category: r["category"]?.string ?? "",
                        costUSD: r["cost_usd"]?.double, source: r["source"]?.string ?? "unknown")
        }
    }

    /// What the budget windows look like now, for `imagegen costs` and metrics.
    package func budgetStatus(_ policy: BudgetPolicy, categories: [String], now: Date) throws -> [BudgetStatus] {
        var seen = Set<String>()
        var out: [BudgetStatus] = []
        for w in policy.windows(category: nil, at: now) + categories.flatMap({ policy.windows(category: $0, at: now).filter { $0.category != nil } })
        where seen.insert(w.name).inserted {
            let (spent, reserved) = try spending(in: w)
            out.append(BudgetStatus(name: w.name, limit: w.limit, spent: spent, reserved: reserved,
                                    remaining: max(0, w.limit - spent - reserved), resetsAt: w.end))
        }
        return out
    }

    /// A consistent snapshot of the catalog (online backup API).
    package func backup(to destination: String) throws { try db.backup(to: destination) }

    /// Raw query access for modules layered on the catalog (tests, migrations of other modules).
    package var database: SQLiteDatabase { db }

    // MARK: - Row mapping

    /// Never traps: a date beyond years 0001...9999 (refused at every input boundary) is clamped.
    package func ms(_ d: Date) -> Int64 { TimeBounds.milliseconds(d) }

    /// ISO 8601 with milliseconds, as records carry it (`RecordTime`).
    package static var isoMilliseconds: Date.ISO8601FormatStyle { RecordTime.style }

    /// The date as records carry it (`RecordTime.iso`).
    package static func iso(_ d: Date) -> String { RecordTime.iso(d) }

    /// A record's ISO 8601 time (with or without milliseconds). An unparsable one throws: it
    /// dates a ledger entry, and the time of the write instead would move the cost into another
    /// budget window.
    package static func date(_ iso: String) throws -> Date {
        if let date = try? Date(iso, strategy: isoMilliseconds) { return date }  // try?: the plain ISO 8601 form below is the other accepted form
        do {
            return try Date(iso, strategy: Date.ISO8601FormatStyle())
        } catch {
            throw SQLiteDatabase.Failure(code: 0, message: "unparsable record time '\(iso)' (expected ISO 8601)")
        }
    }

    /// JSON for a column. Throws (a non-finite number, say) rather than storing `null`, which
    /// would silently drop a job's tags and extra parameters or a slot's planned jobs.
    package static func encode<T: Encodable>(_ v: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(v), as: UTF8.self)
    }

    package static func decode<T: Decodable>(_ t: T.Type, _ s: String?) -> T? {
        guard let s else { return nil }
        // try?: these columns are written by `encode` from the same types; one that no longer decodes (another version's shape) reads as absent rather than making the whole row unreadable
        return try? JSONDecoder().decode(T.self, from: Data(s.utf8))
    }

    package static func job(from r: SQLiteDatabase.Row) -> Job {
        func d(_ k: String) -> Date? { r[k]?.int.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
        let tagsAndExtra = decode(JobExtra.self, r["extra"]?.string)
        return Job(
            id: r["id"]?.string ?? "", batchID: r["batch_id"]?.string ?? "",
            state: JobState(rawValue: r["state"]?.string ?? "") ?? .failed,
            cancelRequested: (r["cancel_requested"]?.int ?? 0) != 0, model: r["model"]?.string ?? "",
            category: r["category"]?.string ?? "", priority: Int(r["priority"]?.int ?? 0), prompt: r["prompt"]?.string ?? "",
            negativePrompt: r["negative_prompt"]?.string,
            parameters: GenerationParameters(width: Int(r["width"]?.int ?? 0), height: Int(r["height"]?.int ?? 0),
                                             steps: r["steps"]?.int.map(Int.init), guidanceScale: r["guidance_scale"]?.double,
                                             seed: r["seed"]?.int.map { UInt32(truncatingIfNeeded: $0) }),
            outputs: Int(r["outputs"]?.int ?? 1), extra: tagsAndExtra?.extra ?? [:], tags: tagsAndExtra?.tags ?? [],
            pluginID: r["plugin_id"]?.string, providerModel: r["provider_model"]?.string,
            pluginGeneration: r["plugin_generation"]?.int.map(Int.init),
            jobRef: r["job_ref"]?.string.flatMap { JSONValue.parse(Array($0.utf8)) },
            submitCount: Int(r["submit_count"]?.int ?? 0), tried: decode([String].self, r["tried"]?.string) ?? [],
            reservedUSD: r["reserved_usd"]?.double, costUSD: r["cost_usd"]?.double, costSource: r["cost_source"]?.string,
            providerTimeSeconds: r["provider_time_s"]?.double, progress: r["progress"]?.double,
            errorCode: r["error_code"]?.string, errorMessage: r["error_message"]?.string,
            createdAt: d("created_at") ?? Date(), updatedAt: d("updated_at") ?? Date(), submittedAt: d("submitted_at"),
            finishedAt: d("finished_at"), deadlineAt: d("deadline_at") ?? Date())
    }

    package struct JobExtra: Codable {
        package var extra: [String: String]
        package var tags: [String]
        package init(extra: [String: String], tags: [String]) {
            self.extra = extra
            self.tags = tags
        }
    }

    package static func image(from r: SQLiteDatabase.Row) -> ImageRecord {
        let generated = Date(timeIntervalSince1970: Double(r["generated_at"]?.int ?? 0) / 1000)
        return ImageRecord(
            imageID: r["id"]?.string ?? "", prompt: r["prompt"]?.string ?? "", negativePrompt: r["negative_prompt"]?.string,
            model: r["model"]?.string ?? "",
            parameters: .init(width: Int(r["width"]?.int ?? 0), height: Int(r["height"]?.int ?? 0),
                              steps: r["steps"]?.int.map(Int.init), guidanceScale: r["guidance_scale"]?.double,
                              seed: r["seed"]?.int.map { UInt32(truncatingIfNeeded: $0) }),
            category: r["category"]?.string ?? "", tags: decode([String].self, r["tags"]?.string) ?? [],
            filePath: r["file_path"]?.string ?? "",
            metadata: .init(generatedAt: iso(generated),
                            apiUsed: [r["plugin_id"]?.string, r["provider_model"]?.string].compactMap { $0 }.joined(separator: "/"),
                            cost: r["cost_usd"]?.double, processingTime: r["processing_time_s"]?.double),
            status: r["status"]?.string ?? ImageRecord.completed, version: Int(r["version"]?.int ?? 1), parentID: r["parent_id"]?.string,
            variant: r["variant"]?.string ?? "original", contentSHA256: r["content_sha256"]?.string ?? "",
            jobID: r["job_id"]?.string, mime: r["mime"]?.string ?? "", bytes: Int(r["bytes"]?.int ?? 0),
            qualityScore: r["quality_score"]?.double, quality: decode(QualityReport.self, r["quality"]?.string),
            outputCheck: decode(NudityVerdict.self, r["output_check"]?.string),
            extra: decode([String: String].self, r["extra"]?.string) ?? [:])
    }

    /// - Parameter outputIndex: the provider output an original came from; nil for a derivative.
    package static func imageBindings(_ i: ImageRecord, outputIndex: Int?, pluginID: String?, providerModel: String?) throws -> [SQLiteDatabase.Value] {
        let generated = TimeBounds.milliseconds(try date(i.metadata.generatedAt))
        return [.text(i.imageID), i.jobID.map { .text($0) } ?? .null, outputIndex.map { .integer(Int64($0)) } ?? .null,
                .integer(Int64(i.version)),
                i.parentID.map { .text($0) } ?? .null, .text(i.variant), .text(i.status), .text(i.category), .text(i.model),
                pluginID.map { .text($0) } ?? .null, providerModel.map { .text($0) } ?? .null, .text(i.prompt),
                i.negativePrompt.map { .text($0) } ?? .null, .integer(Int64(i.parameters.width)),
                .integer(Int64(i.parameters.height)), i.parameters.steps.map { .integer(Int64($0)) } ?? .null,
                i.parameters.guidanceScale.map { .real($0) } ?? .null, i.parameters.seed.map { .integer(Int64($0)) } ?? .null,
                .text(try encode(i.tags)), .text(i.filePath), .text(i.mime), .integer(Int64(i.bytes)), .text(i.contentSHA256),
                .integer(generated), i.metadata.processingTime.map { .real($0) } ?? .null,
                i.metadata.cost.map { .real($0) } ?? .null, i.qualityScore.map { .real($0) } ?? .null, .text(try encode(i.extra)),
                try i.quality.map { .text(try encode($0)) } ?? .null, try i.outputCheck.map { .text(try encode($0)) } ?? .null]
    }
}
