import Host
import PluginHost

/// `imagegen models [--json]`: one row per routable model name.
struct ModelsCommand: Command {
    static let name = "models"
    static let summary = "list models: provider, price, capabilities, adult content allowed"
    static let options: Set<String> = []
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let runtime = try context.runtime()
        let records = runtime.models.sortedEntries.map(ModelRecord.init(entry:))
        if args.json {
            Output.json(records)
        } else {
            Output.table(["MODEL", "PLUGIN", "PROVIDER MODEL", "PRICE", "NSFW", "ALIASES"], records.map { r in
                [r.name, r.plugin, r.providerModel, r.price?.description ?? "unknown", r.nsfwAllowed ? "yes" : "no",
                 r.aliases.joined(separator: ", ")]
            })
        }
        return .success
    }
}
