import Foundation
import Host
import Crypto
import ImagegenCore

/// `imagegen jobs [--state S] [--json]`, `jobs show ID`, `jobs cancel ID`.
struct JobsCommand: Command {
    static let name = "jobs"
    static let summary = "list jobs; `jobs show ID`, `jobs cancel ID`, `jobs run` (resume and run the queue)"
    static let options: Set<String> = ["state", "limit", "batch"]
    static let flags: Set<String> = []
    static func createsDataFolder(_ positionals: [String]) -> Bool { positionals.first == "run" }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let catalog = try context.catalog()
        switch args.positionals.first {
        case nil, "list":
            var state: JobState?
            if let s = args.string("state") {
                guard let st = JobState(rawValue: s) else {
                    throw .usage("--state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state = st
            }
            let jobs = try context.catalogCall { try catalog.jobs(state: state, batch: args.string("batch"), limit: try args.int("limit") ?? 50) }
            if args.json { Output.json(jobs); return .success }
            Output.table(["JOB", "STATE", "MODEL", "PLUGIN", "CATEGORY", "COST", "CREATED", "ERROR"], jobs.map { j in
                [j.id, j.state.rawValue, j.model, j.pluginID ?? "-", j.category, Output.money(j.costUSD),
                 ISO8601DateFormatter().string(from: j.createdAt), j.errorMessage.map { String($0.prefix(60)) } ?? ""]
            })
            return .success
        case "show":
            guard args.positionals.count == 2 else { throw .usage("usage: imagegen jobs show JOB_ID") }
            guard let job = try context.catalogCall({ try catalog.job(args.positionals[1]) }) else {
                throw .failed("no job \(args.positionals[1]); list them with `imagegen jobs`", .invalidInput)
            }
            Output.json(job)
            return .success
        case "cancel":
            guard args.positionals.count == 2 else { throw .usage("usage: imagegen jobs cancel JOB_ID") }
            guard let job = try context.catalogCall({ try catalog.requestCancel(args.positionals[1], now: Date()) }) else {
                throw .failed("no job \(args.positionals[1]); list them with `imagegen jobs`", .invalidInput)
            }
            try context.security().recordCancellation(of: job)
            if args.json { Output.json(job) } else {
                print(job.state == .cancelled ? "\(job.id) cancelled"
                      : job.state.isTerminal ? "\(job.id) already \(job.state.rawValue)" : "\(job.id) cancel requested (it is \(job.state.rawValue); the runner stops it)")
            }
            return .success
        case "run":
            // Resume unfinished jobs and run the queue until it is empty (what a restarted
            // host does on start).
            let generator = try context.generator()
            if let reason = generator.service.runtime.security.prompts.lockedReason {
                throw .failed("the queue cannot run: \(PromptAccessError.locked(reason: reason))", .failure)
            }
            let ran: Bool
            do { ran = try await generator.drain() } catch { throw .failed("running the queue failed: \(error)", .failure) }
            await generator.shutdown()
            guard ran else {
                throw .failed("another imagegen process (imagegen serve?) holds the runner lock of \(context.paths.data) and runs the jobs", .failure)
            }
            if !args.json { print("queue empty") }
            return .success
        case let other?:
            throw .usage("unknown jobs action \"\(other)\": use list, show ID, cancel ID or run")
        }
    }
}
