import Foundation
import Host
import ImagegenJSON

/// `imagegen plugins [--json]`: one row per file in the plugins folder.
/// `imagegen plugins reload [--listen ADDRESS]`: ask the running server to rescan its folder now.
struct PluginsCommand: Command {
    static let name = "plugins"
    static let summary = "list plugin files: loaded or refused, and why; `plugins reload` rescans in the running server"
    static let options: Set<String> = ["listen"]
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        switch args.positionals.first {
        case nil, "list":
            return try await list(args, context)
        case "reload":
            return try await reload(args, context)
        case let other?:
            throw .usage("unknown plugins action \"\(other)\": use list or reload")
        }
    }

    func list(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        // With --listen: the running server's plugins (this process opens no data folder).
        if args.string("listen") != nil { return try await listFromServer(args, context) }
        let runtime = try context.runtime()
        let records = runtime.pluginRecords
        if args.json {
            Output.json(records)
        } else if records.isEmpty {
            print("no plugin files in \(runtime.paths.plugins)")
        } else {
            Output.table(["FILE", "ID", "VERSION", "ABI", "STATUS", "MODELS / ERROR"], records.map { r in
                [r.file, r.id ?? "-", r.version ?? "-", r.abi ?? "-", r.status + (r.run.map { $0.state == "running" ? "" : " (\($0.state))" } ?? ""),
                 r.error ?? r.models.joined(separator: ", ")]
            })
            for r in records { for note in r.ordering ?? [] { print("note: \(r.id ?? r.file) \(note)") } }
        }
        return .success
    }

    func listFromServer(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let answer = try await ServerClientFactory.json("GET", "/v1/plugins", args, context)
        let plugins = answer["plugins"]?.array ?? []
        if args.json { Output.json(plugins); return .success }
        if plugins.isEmpty { print("the server has no plugin files") }
        else {
            Output.table(["FILE", "ID", "VERSION", "ABI", "STATUS", "MODELS / ERROR"], plugins.map { r in
                [r["file"]?.string ?? "-", r["id"]?.string ?? "-", r["version"]?.string ?? "-", r["abi"]?.string ?? "-",
                 r["status"]?.string ?? "-",
                 r["error"]?.string ?? (r["models"]?.array ?? []).compactMap(\.string).joined(separator: ", ")]
            })
        }
        return .success
    }

    func reload(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let answer = try await ServerClientFactory.json("POST", "/v1/plugins/reload", args, context)
        if args.json {
            Output.json(answer)
            return .success
        }
        let changes = answer["changes"]?.array ?? []
        if changes.isEmpty { print("no change: the server's plugins match the folder") }
        for c in changes {
            let kind = c["kind"]?.string ?? "?"
            let file = c["file"]?.string ?? "?"
            switch kind {
            case "refused": print("refused \(c["error"]?.string ?? file)")
            case "swapped":
                print("swapped \(file): \(c["plugin"]?.string ?? "?") generation \(c["previous_generation"]?.int ?? 0) → \(c["generation"]?.int ?? 0)")
            default: print("\(kind) \(file): \(c["plugin"]?.string ?? "?")\(c["generation"]?.int.map { " (generation \($0))" } ?? "")")
            }
        }
        return changes.contains { $0["kind"]?.string == "refused" } ? .failure : .success
    }
}
