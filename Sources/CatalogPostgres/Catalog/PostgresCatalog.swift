import Foundation
import ImagegenJSON
import Catalog
import CatalogSQLite
import ImagegenCore

/// The catalog on PostgreSQL: the same port as `SQLiteCatalog`, for several hosts sharing one
/// database. Every state change is a committed transaction before the next side effect, as on
/// SQLite; what SQLite gets from its single writer (a budget check that cannot interleave with
/// another) PostgreSQL gets from a transaction-scoped advisory lock taken by every enqueue, so
/// hosts reserve budgets atomically against each other.
package final class PostgresCatalog: CatalogStore, @unchecked Sendable {
    package let db: PostgresDatabase
    /// The URL without password, for messages and for connecting again.
    package let url: String
    let password: String?
    /// This host's name in job claims (`HostIdentity`); two catalogs with different names in
    /// one process behave as two hosts (the tests' race).
    package let host: String
    /// How long a claim keeps other hosts off a job: a queued one between claiming and
    /// `markSubmitting` (the runner renews it every pass), one in flight between two steps
    /// (every submit, reference and progress record renews it; polls come seconds apart).
    /// Five minutes; `IMAGEGEN_CLAIM_LEASE_SECONDS` (at least 2) shortens it, so a dead host's
    /// jobs move sooner (the runner renews every third of it, so a live host never loses one).
    package let claimLease: Int64 = PostgresCatalog.configuredClaimLease()

    package var claimLeaseSeconds: Double? { Double(claimLease) / 1000 }

    static func configuredClaimLease(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int64 {
        guard let text = environment["IMAGEGEN_CLAIM_LEASE_SECONDS"], let seconds = Double(text), seconds >= 2 else { return 300_000 }
        return Int64(seconds * 1000)
    }
    /// Seals prompts on write and opens them on read once a key is known.
    package let promptGuard = CatalogPromptGuard()

    /// The advisory-lock keys this catalog takes (one namespace: 0x1A6E_xxxx).
    package enum LockKey {
        /// Held by migrations, so hosts starting together migrate once.
        package static let migrations: Int64 = 0x1A6E_0001
        /// Held by every enqueue: budget checks and idempotency keys serialise across hosts.
        package static let enqueue: Int64 = 0x1A6E_0002
        /// Held by changes that must leave an enabled admin (disable, demote).
        package static let people: Int64 = 0x1A6E_0003
        /// Held for the life of one host's dedicated session: that host runs the singletons.
        package static let singletons: Int64 = 0x1A6E_0004
    }

    /// Connects and brings every module's tables up to date.
    /// - Parameters:
    ///   - url: `postgresql://user@host:5432/db`, without a password (`CatalogURL` refuses one).
    ///   - password: from the secrets file; nil lets libpq read `PGPASSWORD`.
    ///   - host: the name this catalog claims jobs under.
    package init(url: String, password: String? = nil, host: String = HostIdentity.current.name) throws {
        self.url = url
        self.password = password
        self.host = host
        db = try PostgresDatabase(url: url, password: password, location: url)
        try PostgresMigrator(db: db).migrate(PostgresSchema.modules)
    }

    /// A second, independent connection to the same database (another worker or host).
    package func connectAgain() throws -> PostgresCatalog { try PostgresCatalog(url: url, password: password, host: host) }

    // MARK: - Enqueue with reservations

    package func enqueue(_ jobs: [NewJob], budgets: BudgetPolicy, now: Date, allowPartial: Bool) throws -> [Job] {
        try db.transaction {
            try db.query("SELECT pg_advisory_xact_lock($1)", [.integer(LockKey.enqueue)])
            var accepted: [Job] = []
            var inserted: [NewJob] = []
            for (n, new) in jobs.enumerated() {
                if let key = new.idempotencyKey,
                   let existing = try db.query("SELECT * FROM jobs WHERE idempotency_key = $1", [.text(key)]).first {
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
        let cat = w.category.map { PostgresDatabase.Value.text($0) } ?? .null
        let spent = try db.query("""
            SELECT COALESCE(SUM(cost_usd), 0) AS s FROM ledger WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR category = $3)
            """, [.integer(ms(w.start)), .integer(ms(w.end)), cat]).first?["s"]?.double ?? 0
        let reserved = try db.query("""
            SELECT COALESCE(SUM(reserved_usd), 0) AS r FROM jobs
            WHERE state IN ('queued','submitting','submitted','running') AND ($1::text IS NULL OR category = $1)
            """, [cat]).first?["r"]?.double ?? 0
        return (spent, reserved)
    }

    func insert(_ j: NewJob, now: Date) throws {
        try db.query("""
            INSERT INTO jobs (id, batch_id, state, model, category, priority, prompt, negative_prompt, width, height, steps,
                              guidance_scale, seed, outputs, extra, reserved_usd, created_at, updated_at, deadline_at,
                              idempotency_key)
            VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            """, [.text(j.id), .text(j.batchID), .text(j.model), .text(j.category), .integer(Int64(j.priority)),
                  .text(try sealedText(j.prompt, .prompt(of: j.id))), try sealedValue(j.negativePrompt, .negativePrompt(of: j.id)),
                  .integer(Int64(j.parameters.width)), .integer(Int64(j.parameters.height)),
                  j.parameters.steps.map { .integer(Int64($0)) } ?? .null, j.parameters.guidanceScale.map { .real($0) } ?? .null,
                  .integer(Int64(j.parameters.seed ?? 0)), .integer(Int64(j.outputs)),
                  .text(try SQLiteCatalog.encode(SQLiteCatalog.JobExtra(extra: j.extra, tags: j.tags))),
                  j.expectedCost.map { .real($0) } ?? .null, .integer(ms(now)), .integer(ms(now)), .integer(ms(j.deadline)),
                  j.idempotencyKey.map { .text($0) } ?? .null])
    }

    // MARK: - Job transitions

    /// The next queued jobs, claimed for this host: the runner submits what this returns, so
    /// two hosts must never both get one job. Rows another transaction is claiming are skipped
    /// (`FOR UPDATE SKIP LOCKED`); a row claimed and committed meanwhile is re-checked against its
    /// new version when it is locked, so its live claim by another host excludes it. The picked
    /// rows are materialised once (an `IN (… LIMIT)` subquery may be run again per row). This
    /// host's own claims are renewed, so the runner's next pass sees the jobs it launched. Jobs
    /// for models outside `models` are left to the hosts whose plugins serve them.
    package func queuedJobs(limit: Int, models: [String]?) throws -> [Job] {
        try db.query("""
            WITH now AS MATERIALIZED (SELECT \(Self.databaseNow) AS ms),
            picked AS MATERIALIZED (
                SELECT id FROM jobs, now
                WHERE state = 'queued' AND cancel_requested = 0
                  AND (claimed_by IS NULL OR claimed_by = $1 OR claim_until < now.ms)
                  AND ($4::text IS NULL OR model IN (SELECT jsonb_array_elements_text($4::jsonb)))
                ORDER BY priority DESC, created_at, id LIMIT $3 FOR UPDATE OF jobs SKIP LOCKED)
            UPDATE jobs SET claimed_by = $1, claim_until = now.ms + $2 FROM picked, now WHERE jobs.id = picked.id
            RETURNING jobs.*
            """, [.text(host), .integer(claimLease), .integer(Int64(limit)), try models.map { .text(try SQLiteCatalog.encode($0)) } ?? .null])
            .map(jobRecord(from:))
            .sorted { ($0.priority, $1.createdAt, $1.id) > ($1.priority, $0.createdAt, $0.id) }
    }

    /// Jobs sent or being sent to a provider that this host should resume: its own, and those
    /// whose host stopped renewing its claim (died), taken over from their persisted reference.
    /// Never another live host's: resuming those would poll them twice, or settle a submit still
    /// in progress as unknown.
    package func unfinishedJobs() throws -> [Job] {
        try db.query("""
            SELECT * FROM jobs WHERE state IN ('submitting','submitted','running')
              AND (claimed_by IS NULL OR claimed_by = $1 OR claim_until < \(Self.databaseNow))
            ORDER BY created_at, id
            """, [.text(host)]).map(jobRecord(from:))
    }

    /// A running host's look for dead hosts' jobs in flight: claimed here in one statement
    /// (`SKIP LOCKED`, the lapsed claim re-checked on the locked row), so of two live hosts
    /// looking at once exactly one resumes each job. Jobs without a claim (from before claims)
    /// are left to a starting host's `unfinishedJobs`.
    package func takeOverLapsedJobs(models: [String]?) throws -> [Job] {
        try db.query("""
            WITH now AS MATERIALIZED (SELECT \(Self.databaseNow) AS ms),
            picked AS MATERIALIZED (
                SELECT id FROM jobs, now
                WHERE state IN ('submitting','submitted','running')
                  AND claimed_by IS NOT NULL AND claimed_by <> $1 AND claim_until < now.ms
                  AND ($3::text IS NULL OR model IN (SELECT jsonb_array_elements_text($3::jsonb)))
                ORDER BY created_at, id FOR UPDATE OF jobs SKIP LOCKED)
            UPDATE jobs SET claimed_by = $1, claim_until = now.ms + $2 FROM picked, now WHERE jobs.id = picked.id
            RETURNING jobs.*
            """, [.text(host), .integer(claimLease), try models.map { .text(try SQLiteCatalog.encode($0)) } ?? .null])
            .map(jobRecord(from:))
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Pushes back the claims of jobs this host is working on. Only rows it still holds: a job
    /// another host took over (this host's claim had lapsed) is not taken back.
    package func renewClaims(jobIDs: [String]) throws {
        guard !jobIDs.isEmpty else { return }
        try db.query("""
            UPDATE jobs SET claim_until = \(Self.databaseNow) + $2
            WHERE claimed_by = $1 AND id IN (SELECT jsonb_array_elements_text($3::jsonb))
              AND state IN ('queued','submitting','submitted','running')
            """, [.text(host), .integer(claimLease), .text(try SQLiteCatalog.encode(jobIDs))])
    }

    /// Milliseconds on the database's clock: every host's claims are timed by one clock.
    static let databaseNow = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

    /// Renews this host's claim on a job it works on (SET clause; `$lease` is its parameter).
    static func renewClaim(lease: Int) -> String { "claimed_by = $\(lease - 1), claim_until = \(databaseNow) + $\(lease)" }

    /// The intent to submit, fenced by the claim: a host whose claim lapsed (stalled, not dead)
    /// while another took the job over must not send it too, so the row changes only while no
    /// other host holds a live claim on it.
    package func markSubmitting(_ id: String, plugin: String, providerModel: String, generation: Int, tried: [String], now: Date) throws {
        let marked = try db.query("""
            UPDATE jobs SET state = 'submitting', plugin_id = $1, provider_model = $2, plugin_generation = $3,
                            submit_count = submit_count + 1, tried = $4, updated_at = $5, \(Self.renewClaim(lease: 8))
            WHERE id = $6 AND (claimed_by IS NULL OR claimed_by = $7 OR claim_until < \(Self.databaseNow))
            RETURNING id
            """, [.text(plugin), .text(providerModel), .integer(Int64(generation)),
                  .text(try SQLiteCatalog.encode(tried)), .integer(ms(now)), .text(id), .text(host), .integer(claimLease)])
        if marked.isEmpty { throw JobClaimLost(jobID: id) }
    }

    package func recordSubmitted(_ id: String, ref: JSONValue, state: JobState, progress: Double?, now: Date) throws {
        try db.query("""
            UPDATE jobs SET state = $1, job_ref = $2, progress = $3, submitted_at = $4, updated_at = $4, \(Self.renewClaim(lease: 7))
            WHERE id = $5
            """, [.text(state.rawValue), .text(try sealedReference(ref, jobID: id)), progress.map { .real($0) } ?? .null,
                  .integer(ms(now)), .text(id), .text(host), .integer(claimLease)])
    }

    package func recordProgress(_ id: String, state: JobState, progress: Double?, ref: JSONValue?, now: Date) throws {
        if let ref {
            try db.query("UPDATE jobs SET state = $1, progress = $2, job_ref = $3, updated_at = $4, \(Self.renewClaim(lease: 7)) WHERE id = $5",
                         [.text(state.rawValue), progress.map { .real($0) } ?? .null,
                          .text(try sealedReference(ref, jobID: id)), .integer(ms(now)), .text(id), .text(host), .integer(claimLease)])
        } else {
            try db.query("UPDATE jobs SET state = $1, progress = $2, updated_at = $3, \(Self.renewClaim(lease: 6)) WHERE id = $4",
                         [.text(state.rawValue), progress.map { .real($0) } ?? .null, .integer(ms(now)), .text(id),
                          .text(host), .integer(claimLease)])
        }
    }

    package func requeue(_ id: String, tried: [String], error: (String, String)?, now: Date) throws {
        try db.query("""
            UPDATE jobs SET state = 'queued', tried = $1, error_code = $2, error_message = $3, updated_at = $4,
                            claimed_by = NULL, claim_until = NULL WHERE id = $5
            """, [.text(try SQLiteCatalog.encode(tried)), error.map { .text($0.0) } ?? .null, error.map { .text($0.1) } ?? .null,
                  .integer(ms(now)), .text(id)])
    }

    /// Stores one image's row and its ledger entry together. Idempotent per (job, output).
    package func storeImage(_ record: ImageRecord, outputIndex: Int, pluginID: String?, providerModel: String?,
                            costSource: String) throws {
        try db.transaction {
            try db.query(Self.insertImageSQL + " ON CONFLICT DO NOTHING",
                         try sealedImageBindings(record, outputIndex: outputIndex, pluginID: pluginID, providerModel: providerModel))
            try indexPromptWords(of: record)
            guard let jobID = record.jobID, record.variant == "original" else { return }
            try db.query("""
                INSERT INTO ledger (job_id, image_id, at, model, plugin_id, category, cost_usd, source)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
                """, [.text(jobID), .text(record.imageID), .integer(ms(try SQLiteCatalog.date(record.metadata.generatedAt))),
                      .text(record.model), pluginID.map { .text($0) } ?? .null, .text(record.category),
                      record.metadata.cost.map { .real($0) } ?? .null, .text(costSource)])
        }
    }

    static let insertImageSQL = """
        INSERT INTO images (id, job_id, output_index, version, parent_id, variant, status, category, model,
            plugin_id, provider_model, prompt, negative_prompt, width, height, steps, guidance_scale, seed, tags,
            file_path, mime, bytes, content_sha256, generated_at, processing_time_s, cost_usd, quality_score, extra, quality,
            output_check)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
                $24, $25, $26, $27, $28, $29, $30)
        """

    package func finish(_ id: String, state: JobState, cost: Double?, costSource: String?, providerTime: Double?,
                        error: (String, String)?, now: Date) throws {
        try db.query("""
            UPDATE jobs SET state = $1, reserved_usd = NULL, cost_usd = $2, cost_source = $3, provider_time_s = $4,
                            error_code = $5, error_message = $6, progress = CASE WHEN $1 = 'succeeded' THEN 1 ELSE progress END,
                            finished_at = $7, updated_at = $7 WHERE id = $8
            """, [.text(state.rawValue), cost.map { .real($0) } ?? .null, costSource.map { .text($0) } ?? .null,
                  providerTime.map { .real($0) } ?? .null, error.map { .text($0.0) } ?? .null,
                  error.map { .text($0.1) } ?? .null, .integer(ms(now)), .text(id)])
    }

    package func requestCancel(_ id: String, now: Date) throws -> Job? {
        try db.transaction {
            guard let row = try db.query("SELECT * FROM jobs WHERE id = $1 FOR UPDATE", [.text(id)]).first else { return nil }
            let job = jobRecord(from: row)
            guard !job.state.isTerminal else { return job }
            if job.state == .queued {
                try db.query("""
                    UPDATE jobs SET state = 'cancelled', cancel_requested = 1, reserved_usd = NULL, error_code = 'cancelled',
                                    error_message = 'cancelled before it was sent to a provider', finished_at = $1, updated_at = $1
                    WHERE id = $2
                    """, [.integer(ms(now)), .text(id)])
            } else {
                try db.query("UPDATE jobs SET cancel_requested = 1, updated_at = $1 WHERE id = $2", [.integer(ms(now)), .text(id)])
            }
            return try self.job(id)
        }
    }

    // MARK: - Reads

    package func job(_ id: String) throws -> Job? {
        try db.query("SELECT * FROM jobs WHERE id = $1", [.text(id)]).first.map(jobRecord(from:))
    }

    package func cancelRequested(_ id: String) throws -> Bool {
        (try db.query("SELECT cancel_requested FROM jobs WHERE id = $1", [.text(id)]).first?["cancel_requested"]?.int ?? 0) != 0
    }

    package func jobs(state: JobState?, batch: String?, limit: Int) throws -> [Job] {
        try db.query("""
            SELECT * FROM jobs WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR batch_id = $2)
            ORDER BY created_at DESC, id DESC LIMIT $3
            """, [state.map { .text($0.rawValue) } ?? .null, batch.map { .text($0) } ?? .null, .integer(Int64(limit))])
            .map(jobRecord(from:))
    }

    package func jobs(ids: [String]) throws -> [Job] {
        try db.query("SELECT * FROM jobs WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))",
                     [.text(try SQLiteCatalog.encode(ids))]).map(jobRecord(from:))
    }

    package func countJobs(state: JobState) throws -> Int {
        Int(try db.query("SELECT COUNT(*) AS n FROM jobs WHERE state = $1", [.text(state.rawValue)]).first?["n"]?.int ?? 0)
    }

    package func image(_ id: String) throws -> ImageRecord? {
        try db.query("SELECT * FROM images WHERE id = $1", [.text(id)]).first.map(imageRecord(from:))
    }

    package func images(_ filter: ImageFilter) throws -> [ImageRecord] {
        let query = ImageQuery(filter, joined: false, dialect: .postgres, ms: ms)
        return try db.query(query.sql, query.bindings).map(imageRecord(from:))
    }

    /// The conditions of the prompt-word search (as SQLite's), as one SELECT to extend (parameters $1...$7).
    static let filteredImagesSQL = """
        SELECT * FROM images WHERE ($1::text IS NULL OR category = $1) AND ($2::text IS NULL OR model = $2)
          AND ($3::bigint IS NULL OR generated_at >= $3) AND ($4::text IS NULL OR status = $4)
          AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(images.tags::jsonb) t(v) WHERE t.v = $5))
          AND ($6::text IS NULL OR job_id = $6) AND ($7::bigint = 1 OR variant = 'original')
        """

    static func filterBindings(_ filter: ImageFilter) -> [PostgresDatabase.Value] {
        [filter.category.map { .text($0) } ?? .null, filter.model.map { .text($0) } ?? .null,
         filter.since.map { .integer(TimeBounds.milliseconds($0)) } ?? .null,
         filter.status.map { .text($0) } ?? .null, filter.tag.map { .text($0) } ?? .null,
         filter.jobID.map { .text($0) } ?? .null, .integer(filter.includeDerivatives ? 1 : 0)]
    }

    package func ledger(since: Date?) throws -> [LedgerEntry] {
        try db.query("""
            SELECT * FROM ledger WHERE ($1::bigint IS NULL OR at >= $1) ORDER BY at, id
            """, [since.map { .integer(ms($0)) } ?? .null]).map { r in
            LedgerEntry(jobID: r["job_id"]?.string ?? "", imageID: r["image_id"]?.string,
                        at: Date(timeIntervalSince1970: Double(r["at"]?.int ?? 0) / 1000), model: r["model"]?.string ?? "",
                        plugin: r["plugin_id"]?.string, category: r["category"]?.string ?? "",
                        costUSD: r["cost_usd"]?.double, source: r["source"]?.string ?? "unknown")
        }
    }

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

    /// Never traps: a date beyond years 0001...9999 is clamped.
    package func ms(_ d: Date) -> Int64 { TimeBounds.milliseconds(d) }
}
