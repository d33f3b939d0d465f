import Foundation
import Catalog
import CatalogSQLite

/// The slot runs on PostgreSQL. `occurrence_key` is the primary key, so two schedulers on two
/// hosts can never both record one occurrence: `INSERT … ON CONFLICT DO NOTHING RETURNING` tells
/// the loser it lost, and a plan slot runs exactly once across hosts.
package final class PostgresSlotRunStore: SlotRunStore, SchedulerStartStore {
    private let catalog: PostgresCatalog

    package init(catalog: PostgresCatalog) { self.catalog = catalog }

    package func insertIfAbsent(_ run: SlotRun) throws -> Bool {
        let inserted = try catalog.db.query("""
            INSERT INTO slot_runs (occurrence_key, slot_id, kind, scheduled_start, scheduled_end, run_trigger, status,
                                   recorded_at, updated_at, requested_count, planned_jobs, skipped_count, skip_reason,
                                   job_ids, attempts, last_error)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            ON CONFLICT (occurrence_key) DO NOTHING RETURNING occurrence_key
            """, try bindings(run))
        return !inserted.isEmpty
    }

    package func run(occurrenceKey: String) throws -> SlotRun? {
        try catalog.db.query("SELECT * FROM slot_runs WHERE occurrence_key = $1", [.text(occurrenceKey)]).first.map(Self.run(from:))
    }

    @discardableResult
    package func update(_ run: SlotRun, from expected: SlotRunStatus) throws -> Bool {
        let changed = try catalog.db.query("""
            UPDATE slot_runs SET slot_id = $2, kind = $3, scheduled_start = $4, scheduled_end = $5, run_trigger = $6,
                status = $7, recorded_at = $8, updated_at = $9, requested_count = $10, planned_jobs = $11,
                skipped_count = $12, skip_reason = $13, job_ids = $14, attempts = $15, last_error = $16
            WHERE occurrence_key = $1 AND status = $17 RETURNING occurrence_key
            """, try bindings(run) + [.text(expected.rawValue)])
        if !changed.isEmpty { return true }
        guard try self.run(occurrenceKey: run.occurrenceKey) != nil else {
            throw SlotRunStoreError.notFound(occurrenceKey: run.occurrenceKey)
        }
        return false
    }

    package func runs(status: SlotRunStatus) throws -> [SlotRun] {
        try catalog.db.query("SELECT * FROM slot_runs WHERE status = $1 ORDER BY scheduled_start, occurrence_key",
                             [.text(status.rawValue)]).map(Self.run(from:))
    }

    package func history(since: Date?, limit: Int) throws -> [SlotRun] {
        try catalog.db.query("""
            SELECT * FROM slot_runs WHERE ($1::bigint IS NULL OR scheduled_start >= $1)
            ORDER BY scheduled_start DESC, occurrence_key DESC LIMIT $2
            """, [since.map { .integer(catalog.ms($0)) } ?? .null, .integer(Int64(max(0, limit)))]).map(Self.run(from:))
    }

    package func firstStart(now: Date) throws -> Date {
        let rows = try catalog.db.transaction { () throws -> [PostgresDatabase.Row] in
            try catalog.db.query("INSERT INTO scheduler_state (name, value) VALUES ('first_start', $1) ON CONFLICT DO NOTHING",
                                 [.integer(catalog.ms(now))])
            return try catalog.db.query("SELECT value FROM scheduler_state WHERE name = 'first_start'")
        }
        return Date(timeIntervalSince1970: Double(rows.first?["value"]?.int ?? catalog.ms(now)) / 1000)
    }

    private func bindings(_ run: SlotRun) throws -> [PostgresDatabase.Value] {
        [.text(run.occurrenceKey), .text(run.slotID), .text(run.kind.rawValue), .integer(catalog.ms(run.scheduledStart)),
         .integer(catalog.ms(run.scheduledEnd)), .text(run.trigger.rawValue), .text(run.status.rawValue),
         .integer(catalog.ms(run.recordedAt)), .integer(catalog.ms(run.updatedAt)), .integer(Int64(run.requestedCount)),
         .text(try SQLiteCatalog.encode(run.plannedJobs)), .integer(Int64(run.skippedCount)),
         run.skipReason.map { .text($0) } ?? .null, .text(try SQLiteCatalog.encode(run.jobIDs)),
         .integer(Int64(run.attempts)), run.lastError.map { .text($0) } ?? .null]
    }

    private static func run(from r: PostgresDatabase.Row) -> SlotRun {
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

extension PostgresCatalog: SlotRunStoreOpening {
    package func openSlotRunStore() throws -> any SlotRunStore & SchedulerStartStore { PostgresSlotRunStore(catalog: self) }
}
