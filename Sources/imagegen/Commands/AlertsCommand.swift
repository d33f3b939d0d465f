import Foundation
import Host
import Catalog

/// `imagegen alerts [--active] [--since D] [--limit N] [--json]`: the alerts recorded by
/// `imagegen serve`, newest first, each with its start and (once cleared) its end.
struct AlertsCommand: Command {
    static let name = "alerts"
    static let summary = "alerts recorded by serve (provider failures, budgets, slow APIs, quotas, missed slots)"
    static let options: Set<String> = ["since", "limit"]
    static let flags: Set<String> = ["active"]

    struct Line: Encodable {
        var alert: Alert
        enum CodingKeys: String, CodingKey {
            case id, rule, subject, severity, status, message
            case startedAt = "started_at", endedAt = "ended_at"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(alert.id, forKey: .id)
            try c.encode(alert.rule, forKey: .rule)
            try c.encode(alert.subject, forKey: .subject)
            try c.encode(alert.severity.rawValue, forKey: .severity)
            try c.encode(alert.isActive ? "firing" : "resolved", forKey: .status)
            try c.encode(alert.message, forKey: .message)
            try c.encode(alert.startedAt, forKey: .startedAt)
            try c.encode(alert.endedAt, forKey: .endedAt)
        }
    }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let since = try args.string("since").map { s throws(CLIError) in try DateArgument.parse(s, option: "since") }
        let limit = try args.int("limit") ?? 100
        guard limit > 0 else { throw .usage("--limit must be positive") }
        let catalog = try context.catalog()
        let alerts = try context.catalogCall {
            try catalog.openAlertStore().alerts(since: since, activeOnly: args.flags.contains("active"), limit: limit)
        }
        if args.json { Output.json(alerts.map(Line.init)); return .success }
        if alerts.isEmpty {
            print(args.flags.contains("active") ? "no active alert" : "no alert recorded")
            return .success
        }
        let f = ISO8601DateFormatter()
        Output.table(["STATUS", "SEVERITY", "STARTED", "ENDED", "ALERT", "MESSAGE"], alerts.map { a in
            [a.isActive ? "firing" : "resolved", a.severity.rawValue, f.string(from: a.startedAt),
             a.endedAt.map(f.string(from:)) ?? "-", a.id, a.message]
        })
        return .success
    }
}
