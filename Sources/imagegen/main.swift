import Crypto
import Foundation
import Host
import ImagegenCore
import PluginHost
import Security

/// imagegen's command line: thin over the Host library.
nonisolated(unsafe) let commands: [any Command.Type] = [
    PluginsCommand.self,
    ModelsCommand.self,
    RouteCommand.self,
    GenerateCommand.self,
    JobsCommand.self,
    ImagesCommand.self,
    TakedownCommand.self,
    ProcessCommand.self,
    CostsCommand.self,
    TemplatesCommand.self,
    ExperimentsCommand.self,
    TagsCommand.self,
    KeysCommand.self,
    AuditCommand.self,
    ServeCommand.self,
    HealthCommand.self,
    HostsCommand.self,
    CatalogCommand.self,
    StorageCommand.self,
    BackupCommand.self,
    RestoreCommand.self,
    PlanCommand.self,
    StatsCommand.self,
    AlertsCommand.self,
    ReportCommand.self,
    ConfigCommand.self,
    RetentionCommand.self,
    UsersCommand.self,
]

nonisolated func usage() -> String {
    var s = "usage: imagegen COMMAND [options]\n\ncommands:\n"
    for c in commands { s += "  " + c.name.padding(toLength: 12, withPad: " ", startingAt: 0) + c.summary + "\n" }
    s += "\nglobal options: --config FILE, --plugins DIR, --data DIR (or IMAGEGEN_CONFIG, IMAGEGEN_PLUGINS, IMAGEGEN_DATA),\n"
    s += "                --json, --verbose, --quiet; `imagegen COMMAND --help` describes a command's options; --version\n"
    s += "exit codes: 0 ok, 1 failure, 2 invalid input, 3 budget/quota refusal, 4 provider failure, 5 content filtered/refused"
    return s
}

var argv = Array(CommandLine.arguments.dropFirst())
// The child side of an isolated plugin: started by the host only, never listed in the usage.
if argv.first == "plugin-runner" { PluginRunner.main(Array(argv.dropFirst())) }
// Provider plugins run in child processes of this binary (`serve`, `generate`, `jobs run`...).
PluginRunnerLocation.useThisExecutable()
if argv.first == "--version" || argv.first == "version" {
    print("imagegen \(ImagegenVersion.current)")
    exit(0)
}
guard let first = argv.first, !["-h", "--help", "help"].contains(first) else {
    print(usage())
    exit(argv.isEmpty ? ExitCode.invalidInput.rawValue : 0)
}
// Commands may have sub-verbs ("jobs show"); the command itself parses them as positionals.
guard let command = commands.first(where: { $0.name == first }) else {
    Output.error("unknown command \"\(first)\"\n\n" + usage())
    exit(ExitCode.invalidInput.rawValue)
}
argv.removeFirst()
// Every command hashes, signs or decrypts something: without libsodium, stop here with the reason.
do {
    try SodiumRuntime.prepare()
} catch {
    Output.error(error.description)
    exit(ExitCode.failure.rawValue)
}
// The audit log names who acted: this user, on the command line.
Caller.process = Caller(principal: "cli:\(Caller.userName())")
let code: ExitCode
do {
    let args = try Arguments(argv, options: command.options, flags: command.flags)
    if args.flags.contains("help") {
        print(OptionHelp.text(for: command))
        exit(0)
    }
    var paths = HostPaths(config: args.string("config"), plugins: args.string("plugins"), data: args.string("data"))
    let standIn = MissingDataFolder.standIn(for: &paths, command: command, args: args)
    defer { standIn?.remove() }
    code = try await command.init().run(args, CommandContext(args, paths: paths))
} catch {
    Output.error(error.description)
    code = error.exitCode
}
exit(code.rawValue)
