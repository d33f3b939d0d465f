import Foundation
import Host
import Catalog
import ImagegenCore
import Operations
import Templates

/// `imagegen plan [--json] [--days N]` (the next runs), `plan run SLOT [--request-id ID] [--no-wait]`
/// (one slot now, exactly once per request id), `plan history [--since D] [--limit N] [--json]`,
/// `plan show` (the plan in force, as JSON).
struct PlanCommand: Command {
    static let name = "plan"
    static let summary = "the generation plan: next runs (7 days), `run SLOT` now, `history`, `show`"
    static let options: Set<String> = ["days", "request-id", "since", "limit"]
    static let flags: Set<String> = ["no-wait"]
    static func createsDataFolder(_ positionals: [String]) -> Bool { positionals.first == "run" }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        switch args.positionals.first {
        case nil, "list", "upcoming": return try upcoming(args, context)
        case "run": return try await runSlot(args, context)
        case "history": return try history(args, context)
        case "show": return try show(context)
        case let other?:
            throw .usage("unknown plan action \"\(other)\"; use `imagegen plan`, `plan run SLOT`, `plan history` or `plan show`")
        }
    }

    /// One upcoming occurrence, with what it will do.
    struct Upcoming: Encodable {
        var slot: String
        var occurrenceKey: String
        var localDate: String
        var start: Date
        var end: Date
        var kind: String
        var category: String?
        var templates: [String]
        var count: String?
        var model: String?
        var note: String?
        var status: String?
        /// Why the slot cannot run as written (unknown template or model, adult content on a model that forbids it).
        var invalid: String?
        enum CodingKeys: String, CodingKey {
            case slot, kind, category, templates, count, model, note, status, start, end, invalid
            case occurrenceKey = "occurrence_key", localDate = "local_date"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(slot, forKey: .slot)
            try c.encode(occurrenceKey, forKey: .occurrenceKey)
            try c.encode(localDate, forKey: .localDate)
            try c.encode(start, forKey: .start)
            try c.encode(end, forKey: .end)
            try c.encode(kind, forKey: .kind)
            try c.encode(category, forKey: .category)
            try c.encode(templates, forKey: .templates)
            try c.encode(count, forKey: .count)
            try c.encode(model, forKey: .model)
            try c.encode(note, forKey: .note)
            try c.encode(status, forKey: .status)
            try c.encode(invalid, forKey: .invalid)
        }
    }

    struct UpcomingReport: Encodable {
        var timeZone: String
        var source: String
        var enabled: Bool
        var days: Int
        var runs: [Upcoming]
        enum CodingKeys: String, CodingKey { case source, enabled, days, runs, timeZone = "time_zone" }
    }

    func upcoming(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        let days = try args.int("days") ?? 7
        guard (1...62).contains(days) else { throw .usage("--days must be within 1...62") }
        let plan = try context.planService()
        let now = Date()
        let occurrences = plan.schedule.upcoming(from: now, days: days)
        let zone = plan.schedule.timeZone
        let invalid = try slotProblems(plan, context)
        let runs = try occurrences.map { o throws(CLIError) -> Upcoming in
            let recorded = try context.catalogCall { try plan.store.run(occurrenceKey: o.occurrenceKey) }
            return Upcoming(slot: o.slotID, occurrenceKey: o.occurrenceKey, localDate: o.localDate.description, start: o.start,
                            end: o.end, kind: o.slot.kind.rawValue, category: o.slot.category, templates: o.slot.templates?.names ?? [],
                            count: o.slot.count?.description, model: o.slot.model, note: o.slot.note, status: recorded?.status.rawValue,
                            invalid: invalid[o.slotID])
        }
        let report = UpcomingReport(timeZone: zone.identifier, source: plan.configuration.fromConfig ? "config" : "default",
                                    enabled: plan.configuration.enabled, days: days, runs: runs)
        let exit: ExitCode = invalid.isEmpty ? .success : .invalidInput
        if args.json { Output.json(report); return exit }
        print("plan (\(report.source), time zone \(zone.identifier)\(report.enabled ? "" : ", disabled in config: serve will not run it")): next \(days) day(s)")
        Output.table(["WHEN", "SLOT", "WHAT", "STATUS"], runs.map { r in
            let what = r.kind == "maintenance" ? (r.note ?? "maintenance")
                : "\(r.category ?? "?") ×\(r.count ?? "?") from \(r.templates.joined(separator: ", "))\(r.model.map { " on \($0)" } ?? "")"
            return ["\(PlanCommand.local(r.start, zone))–\(PlanCommand.local(r.end, zone, timeOnly: true))", r.slot, what,
                    r.invalid.map { "INVALID: \($0)" } ?? r.status ?? ""]
        })
        for (slot, reason) in invalid.sorted(by: { $0.key < $1.key }) {
            Output.error("plan slot \(slot) is invalid: \(reason)")
        }
        return exit
    }

    /// Slot id → why it cannot run, checked against the templates and models loaded now.
    func slotProblems(_ plan: PlanService, _ context: CommandContext) throws(CLIError) -> [String: String] {
        let generator = try context.generator()
        let library: TemplateLibrary
        do { library = try generator.templates.library() } catch { throw .failed("templates: \(error)", .failure) }
        return HostConsistency.slotProblems(plan.configuration.plan.allSlots, templates: library,
                                            models: generator.service.runtime.models)
    }

    func runSlot(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        guard args.positionals.count == 2 else { throw .usage("usage: imagegen plan run SLOT [--request-id ID] [--no-wait]") }
        let slot = args.positionals[1]
        let wait = !args.flags.contains("no-wait")
        let generator = try context.generator()
        // Without waiting, nothing runs here: the jobs stay queued for `serve` or `jobs run`
        // (starting a runner and exiting would abandon jobs mid-submit).
        let wake: @Sendable () async -> Void
        if wait {
            wake = { await generator.startRunner() }
        } else {
            wake = {}
        }
        let plan = try context.planService(wake: wake)
        let run: SlotRun
        do {
            let scheduler = try plan.scheduler(maintenance: { _ in
                let n = await generator.processBacklog()
                if !args.json { print("post-processed \(n) image(s) from the backlog") }
            }, onEvent: { _ in })
            run = try await scheduler.runNow(slotID: slot, requestID: args.string("request-id"))
        } catch let e as PlanSchedulerError {
            switch e {
            case .unknownSlot, .invalidRequestID: throw .failed(e.description, .invalidInput)
            case .store: throw .failed(e.description, .failure)
            }
        } catch {
            throw .failed("plan run \(slot): \(error)", .failure)
        }
        var jobs = try context.catalogCall { try generator.service.catalog.jobs(ids: run.jobIDs) }
        if wait && !jobs.isEmpty {
            do { jobs = try await generator.waitUntilFinished(jobs) } catch {
                throw .failed("waiting for the slot's jobs failed: \(error)", .failure)
            }
            await generator.shutdown()
        }
        if args.json {
            Output.json(RunOutcome(run: run, jobs: jobs))
        } else {
            print("\(run.occurrenceKey): \(run.status.rawValue)\(run.lastError.map { " (\($0))" } ?? "")")
            if run.skippedCount > 0 { print("  \(run.skippedCount) image(s) not queued: \(run.skipReason ?? "budget")") }
            for j in jobs { print("  \(j.id) \(j.state.rawValue)\(j.extra["template"].map { " template \($0)" } ?? "")") }
        }
        switch run.status {
        case .failed: return .failure
        case .skipped: return .budget
        case .claimed: return .failure
        default: break
        }
        if wait && jobs.contains(where: { $0.state == .contentFiltered }) { return .contentFiltered }
        if wait && jobs.contains(where: { $0.state != .succeeded }) { return .provider }
        return .success
    }

    struct RunOutcome: Encodable {
        var run: SlotRun
        var jobs: [Job]
    }

    func history(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        let since = try args.string("since").map { s throws(CLIError) in try DateArgument.parse(s, option: "since") }
        let limit = try args.int("limit") ?? 50
        let plan = try context.planService()
        let runs = try context.catalogCall { try plan.store.history(since: since, limit: limit) }
        let catalog = try context.catalog()
        let jobs = try context.catalogCall { try catalog.jobs(ids: runs.flatMap(\.jobIDs)) }
        let entries = runs.map { SlotRunHistoryEntry(run: $0, jobs: jobs) }
        if args.json { Output.json(entries); return .success }
        let zone = plan.schedule.timeZone
        if runs.isEmpty { print("no slot run recorded yet") }
        Output.table(["SCHEDULED", "OCCURRENCE", "TRIGGER", "STATUS", "JOBS", "NOTE"], entries.map { entry in
            let r = entry.run
            var note = r.lastError ?? ""
            if r.skippedCount > 0 { note = "\(r.skippedCount) skipped: \(r.skipReason ?? "budget")" + (note.isEmpty ? "" : "; " + note) }
            return [PlanCommand.local(r.scheduledStart, zone), r.occurrenceKey, r.trigger.rawValue, entry.outcome.rawValue,
                    r.kind == .maintenance ? "-" : "\(r.jobIDs.count)/\(r.requestedCount)", note]
        })
        return .success
    }

    func show(_ context: CommandContext) throws(CLIError) -> ExitCode {
        let plan = try context.planService()
        do {
            FileHandle.standardOutput.write(try plan.configuration.plan.encodedJSON())
            FileHandle.standardOutput.write(Data("\n".utf8))
        } catch {
            throw .failed("cannot encode the plan: \(error)", .failure)
        }
        return .success
    }

    static func local(_ date: Date, _ zone: TimeZone, timeOnly: Bool = false) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = timeOnly ? "HH:mm" : "EEE yyyy-MM-dd HH:mm"
        return f.string(from: date)
    }
}
