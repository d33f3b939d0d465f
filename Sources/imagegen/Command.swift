import Foundation
import Host

/// A subcommand. Each lives in its own file under Commands/ and is listed in `main.swift`.
protocol Command {
    static var name: String { get }
    static var summary: String { get }
    static var options: Set<String> { get }
    static var flags: Set<String> { get }
    init()
    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode
}

/// What commands share: the parsed global options and a lazily opened host.
final class CommandContext {
    let paths: HostPaths
    let log: Log
    private var opened: HostRuntime?

    init(_ args: Arguments) {
        paths = HostPaths(config: args.string("config"), plugins: args.string("plugins"), data: args.string("data"))
        log = Log(minimum: args.flags.contains("verbose") ? .debug : (args.flags.contains("quiet") ? .error : .warning))
    }

    func runtime() throws(CLIError) -> HostRuntime {
        if let opened { return opened }
        do {
            let r = try HostRuntime.open(paths: paths, log: log)
            opened = r
            return r
        } catch {
            throw .usage(error.description)
        }
    }
}
