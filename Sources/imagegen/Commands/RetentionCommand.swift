import Foundation
import Catalog
import ImagegenCore
import Operations

/// `imagegen retention`: what the `retention` rules would purge now; `imagegen retention apply`:
/// purge it (files of rejected and quarantined originals past their time; rows, tombstones, the
/// ledger and the audit log stay). `serve` applies the rules every `retention.interval_hours`.
struct RetentionCommand: Command {
    static let name = "retention"
    static let summary = "what the retention rules would purge; `retention apply` purges it"
    static let options: Set<String> = []
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let apply: Bool
        switch args.positionals.first {
        case nil, "list": apply = false
        case "apply": apply = true
        default: throw .usage("usage: imagegen retention [apply]")
        }
        let generator = try context.generator()
        let report: RetentionReport
        do {
            report = try await generator.composition.retentionService().run(now: Date(), apply: apply)
        } catch {
            await generator.shutdown()
            throw .failed("retention: \(error)", .failure)
        }
        await generator.shutdown()
        if args.json { Output.json(report) } else {
            let rules = [report.rejectedDays.map { "rejected after \($0) days" }, report.quarantinedDays.map { "quarantined after \($0) days" }]
                .compactMap { $0 }
            if rules.isEmpty { print("no retention rule is set (retention: { rejected_days: N, quarantined_days: N } in the config)") }
            Output.table(["IMAGE", "RULE", "SINCE", "FILES", apply ? "PURGED" : "WOULD BE PURGED"], report.images.map { c in
                [c.imageID, c.rule.rawValue, RecordTime.iso(c.since), "\(c.files.count)", report.failures[c.imageID].map { "no: \($0)" } ?? "yes"]
            })
            print((apply ? "purged" : "would purge") + " \(report.images.count - report.failures.count) image(s)"
                  + (apply ? ", \(report.filesRemoved) file(s) removed, \(report.objectsDeleted) cloud object(s) deleted" : "") + (rules.isEmpty ? "" : " (" + rules.joined(separator: ", ") + ")"))
        }
        return report.failures.isEmpty ? .success : .failure
    }
}
