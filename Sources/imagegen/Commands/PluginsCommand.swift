import Host

/// `imagegen plugins [--json]`: one row per file in the plugins folder.
struct PluginsCommand: Command {
    static let name = "plugins"
    static let summary = "list plugin files: loaded or refused, and why"
    static let options: Set<String> = []
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let runtime = try context.runtime()
        let records = runtime.plugins.records
        if args.json {
            Output.json(records)
        } else if records.isEmpty {
            print("no plugin files in \(runtime.paths.plugins)")
        } else {
            Output.table(["FILE", "ID", "VERSION", "ABI", "STATUS", "MODELS / ERROR"], records.map { r in
                [r.file, r.id ?? "-", r.version ?? "-", r.abi ?? "-", r.status,
                 r.error ?? r.models.joined(separator: ", ")]
            })
        }
        return .success
    }
}
