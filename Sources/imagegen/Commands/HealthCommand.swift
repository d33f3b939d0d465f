import Foundation
import Host
import ImagegenJSON

/// `imagegen health [--json] [--listen ADDRESS]`: circuits per candidate and plugins, from the
/// running server, and each reason it is degraded, naming the plugin (hung, holding every
/// runner slot, breaking the ABI, quarantined...). Exit 0 when healthy, 4 when degraded,
/// 1 when no server runs.
struct HealthCommand: Command {
    static let name = "health"
    static let summary = "circuits per candidate and plugins of the running server (exit 4 when degraded, 1 when none runs)"
    static let options: Set<String> = ["listen"]
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let report = try await ServerClientFactory.json("GET", "/v1/health", args, context)
        let degraded = report["status"]?.string != "ok"
        if args.json {
            Output.json(report)
            return degraded ? .provider : .success
        }
        print("status: \(report["status"]?.string ?? "?")")
        for p in report["plugin_problems"]?.array ?? [] {
            print("  \(p["kind"]?.string ?? "?"): \(p["message"]?.string ?? "")")
        }
        for p in report["problems"]?.array ?? [] { print("  config: \(p.string ?? "")") }
        if let check = report["output_check"] {
            print("output check: \(check["state"]?.string ?? "?")\(check["name"]?.string.map { " (\($0))" } ?? "")"
                  + (check["error"]?.string.map { ": \($0)" } ?? ""))
        } else {
            print("output check: off (output_check.enabled: false): images are stored unchecked")
        }
        if let r = report["runner"], let slots = r["slots"]?.int { print("runner slots: \(r["in_use"]?.int ?? 0) of \(slots) in use") }
        let candidates = report["candidates"]?.array ?? []
        if !candidates.isEmpty {
            print("")
            Output.table(["CANDIDATE", "MODELS", "STATE", "FAILURES", "RETRY AT", "LAST ERROR"], candidates.map { c in
                [c["candidate"]?.string ?? "-",
                 (c["models"]?.array ?? []).compactMap(\.string).joined(separator: ","),
                 (c["state"]?.string ?? "-") + (c["loaded"]?.bool == false ? " (not loaded)" : ""),
                 String(c["consecutive_failures"]?.int ?? 0), c["retry_at"]?.string ?? "-",
                 c["last_error"]?.string.map { String($0.prefix(60)) } ?? ""]
            })
        }
        let plugins = report["plugins"]?.array ?? []
        if !plugins.isEmpty {
            print("")
            Output.table(["FILE", "ID", "GENERATION", "STATUS", "MODELS / ERROR"], plugins.map { p in
                [p["file"]?.string ?? "-", p["id"]?.string ?? "-", p["generation"]?.int.map(String.init) ?? "-",
                 (p["status"]?.string ?? "-") + (p["run"]?["state"]?.string.flatMap { $0 == "running" ? nil : " (\($0))" } ?? ""),
                 p["error"]?.string ?? (p["models"]?.array ?? []).compactMap(\.string).joined(separator: ", ")]
            })
        }
        return degraded ? .provider : .success
    }
}
