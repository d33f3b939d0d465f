import Foundation
import Host
import Catalog

/// `imagegen hosts [--within SECONDS] [--json]`: the hosts serving this catalog (heard from
/// within the last 30 s), their leases and load, and which one runs the singletons.
struct HostsCommand: Command {
    static let name = "hosts"
    static let summary = "live hosts on this catalog, their leases and load"
    static let options: Set<String> = ["within"]
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let within = try args.double("within") ?? 30
        guard within > 0 && within <= 86_400 else { throw .usage("--within must be seconds above 0 and at most 86400, got \(within)") }
        let catalog = try context.catalog()
        let hosts = try context.catalogCall { try catalog.liveHosts(within: within) }
        if args.json {
            Output.json(hosts)
        } else if hosts.isEmpty {
            print("no host heard from within \(Int(within)) s (serve records a heartbeat every 5 s)")
        } else {
            Output.table(["HOST", "PID", "SINGLETONS", "IN FLIGHT", "CLAIMED", "HEARTBEAT", "VERSION"], hosts.map {
                [$0.name, "\($0.pid)", $0.runsSingletons ? "yes" : "", "\($0.jobsInFlight)", "\($0.jobsClaimed)",
                 $0.heartbeatAt.formatted(.iso8601), $0.version]
            })
        }
        return .success
    }
}
