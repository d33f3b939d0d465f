import Foundation
import Catalog

/// The slot runs in the catalog: the `slot_runs` table, one row per occurrence key.
///
/// This is the store `imagegen serve` and `imagegen plan run` use, so the exactly-once guarantee
/// ("commit the run, then queue its jobs") rests on SQLite: every call below is one statement in
/// its own committed transaction (WAL), durable when it returns. `occurrence_key` is the primary
/// key, so two schedulers (two processes, or one restarted) can never both record the same
/// occurrence: `INSERT … ON CONFLICT DO NOTHING RETURNING` tells the loser it lost.
package final class CatalogSlotRunStore: SlotRunStore {
    /// The module's tables, migrated on first use (append-only; never edit a shipped migration).
    static let schema = CatalogModuleSchema(module: "scheduling", migrations: [
        """
        CREATE TABLE slot_runs (
            occurrence_key TEXT PRIMARY KEY,
            slot_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('generate','maintenance')),
            scheduled_start INTEGER NOT NULL,
            scheduled_end INTEGER NOT NULL,
            run_trigger TEXT NOT NULL CHECK (run_trigger IN ('scheduled','catch_up','manual')),
            status TEXT NOT NULL CHECK (status IN ('claimed','queued','completed','skipped','missed','failed')),
            recorded_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            requested_count INTEGER NOT NULL,
            planned_jobs TEXT NOT NULL CHECK (json_valid(planned_jobs)),
            skipped_count INTEGER NOT NULL,
            skip_reason TEXT,
            job_ids TEXT NOT NULL CHECK (json_valid(job_ids)),
            attempts INTEGER NOT NULL,
            last_error TEXT
        ) STRICT;
        CREATE INDEX slot_runs_status ON slot_runs (status, scheduled_start);
        CREATE INDEX slot_runs_start ON slot_runs (scheduled_start);
        CREATE TABLE scheduler_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
        """,
    ])

    private let catalog: SQLiteCatalog

    /// Opens the store on `catalog`, creating or upgrading its table.
    package init(catalog: SQLiteCatalog) throws {
        self.catalog = catalog
        try catalog.migrate(Self.schema)
    }

    package func insertIfAbsent(_ run: SlotRun) throws -> Bool {
        let inserted = try catalog.database.query("""
            INSERT INTO slot_runs (occurrence_key, slot_id, kind, scheduled_start, scheduled_end, run_trigger, status,
                                   recorded_at, updated_at, requested_count, planned_jobs, skipped_count, skip_reason,
                                   job_ids, attempts, last_error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (occurrence_key) DO NOTHING
            RETURNING occurrence_key
            """, try bindings(run))
        return !inserted.isEmpty
    }

    package func run(occurrenceKey: String) throws -> SlotRun? {
        try catalog.database.query("SELECT * FROM slot_runs WHERE occurrence_key = ?", [.text(occurrenceKey)])
            .first.map(Self.run(from:))
    }

    @discardableResult
    package func update(_ run: SlotRun, from expected: SlotRunStatus) throws -> Bool {
        let b = try bindings(run) + [.text(expected.rawValue)]
        let changed = try catalog.database.query("""
            UPDATE slot_runs SET slot_id = ?2, kind = ?3, scheduled_start = ?4, scheduled_end = ?5, run_trigger = ?6,
                status = ?7, recorded_at = ?8, updated_at = ?9, requested_count = ?10, planned_jobs = ?11,
                skipped_count = ?12, skip_reason = ?13, job_ids = ?14, attempts = ?15, last_error = ?16
            WHERE occurrence_key = ?1 AND status = ?17
            RETURNING occurrence_key
            """, b)
        if !changed.isEmpty { return true }
        guard try self.run(occurrenceKey: run.occurrenceKey) != nil else {
            throw SlotRunStoreError.notFound(occurrenceKey: run.occurrenceKey)
        }
        return false
    }

    package func runs(status: SlotRunStatus) throws -> [SlotRun] {
        try catalog.database.query("""
            SELECT * FROM slot_runs WHERE status = ? ORDER BY scheduled_start, occurrence_key
            """, [.text(status.rawValue)]).map(Self.run(from:))
    }

    package func history(since: Date?, limit: Int) throws -> [SlotRun] {
        try catalog.database.query("""
            SELECT * FROM slot_runs WHERE (?1 IS NULL OR scheduled_start >= ?1)
            ORDER BY scheduled_start DESC, occurrence_key DESC LIMIT ?2
            """, [since.map { .integer(catalog.ms($0)) } ?? .null, .integer(Int64(max(0, limit)))]).map(Self.run(from:))
    }

    // MARK: - Rows

    private func bindings(_ run: SlotRun) throws -> [SQLiteDatabase.Value] {
        [.text(run.occurrenceKey), .text(run.slotID), .text(run.kind.rawValue), .integer(catalog.ms(run.scheduledStart)),
         .integer(catalog.ms(run.scheduledEnd)), .text(run.trigger.rawValue), .text(run.status.rawValue),
         .integer(catalog.ms(run.recordedAt)), .integer(catalog.ms(run.updatedAt)), .integer(Int64(run.requestedCount)),
         .text(try SQLiteCatalog.encode(run.plannedJobs)), .integer(Int64(run.skippedCount)),
         run.skipReason.map { .text($0) } ?? .null, .text(try SQLiteCatalog.encode(run.jobIDs)),
         .integer(Int64(run.attempts)), run.lastError.map { .text($0) } ?? .null]
    }

    private static func run(from r: SQLiteDatabase.Row) -> SlotRun {
        func date(_ column: String) -> Date { Date(timeIntervalSince1970: Double(r[column]?.int ?? 0) / 1000) }
        var run = SlotRun(
            occurrenceKey: r["occurrence_key"]?.string ?? "", slotID: r["slot_id"]?.string ?? "",
            kind: SlotKind(rawValue: r["kind"]?.string ?? "") ?? .generate,
            scheduledStart: date("scheduled_start"), scheduledEnd: date("scheduled_end"),
            trigger: SlotRunTrigger(rawValue: r["run_trigger"]?.string ?? "") ?? .scheduled,
            // An unreadable status must not look final: `claimed` makes the scheduler look at it again.
            status: SlotRunStatus(rawValue: r["status"]?.string ?? "") ?? .claimed,
            recordedAt: date("recorded_at"), requestedCount: Int(r["requested_count"]?.int ?? 0),
            plannedJobs: SQLiteCatalog.decode([SlotJobRequest].self, r["planned_jobs"]?.string) ?? [],
            skippedCount: Int(r["skipped_count"]?.int ?? 0), skipReason: r["skip_reason"]?.string,
            jobIDs: SQLiteCatalog.decode([String].self, r["job_ids"]?.string) ?? [],
            attempts: Int(r["attempts"]?.int ?? 0), lastError: r["last_error"]?.string)
        run.updatedAt = date("updated_at")
        return run
    }
}

extension CatalogSlotRunStore {
    /// When a scheduler first ran on this catalog (recorded on the first call, then read back).
    ///
    /// The scheduler ignores occurrences before it (`PlanScheduler.Options.notBefore`), so a fresh
    /// install records no "missed" slots for the hours before it existed, while a host restarted
    /// after an outage still catches up or records what it missed.
    package func firstStart(now: Date) throws -> Date {
        let rows = try catalog.database.transaction { () throws -> [SQLiteDatabase.Row] in
            try catalog.database.query("INSERT INTO scheduler_state (name, value) VALUES ('first_start', ?) ON CONFLICT DO NOTHING",
                                       [.integer(catalog.ms(now))])
            return try catalog.database.query("SELECT value FROM scheduler_state WHERE name = 'first_start'")
        }
        return Date(timeIntervalSince1970: Double(rows.first?["value"]?.int ?? catalog.ms(now)) / 1000)
    }
}
