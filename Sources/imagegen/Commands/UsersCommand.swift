import Foundation

/// `imagegen users SUBCOMMAND …`: people who sign in to `imagegen serve`. Each subcommand lives in
/// its own file (`UsersCommand+<Concern>.swift`) and is listed in the switch below; personal data
/// (`export`, `erase`) is UsersCommand+PersonalData.swift.
struct UsersCommand: Command {
    static let name = "users"
    static let summary = "people who sign in: `users export NAME` (their data as JSON), `users erase NAME --yes` (GDPR erasure)"
    static let options: Set<String> = []
    static let flags: Set<String> = ["yes"]

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        switch args.positionals.first {
        case "export": return try exportPersonalData(args, context)
        case "erase": return try erasePersonalData(args, context)
        default:
            throw .usage("usage: imagegen users export NAME | users erase NAME --yes")
        }
    }
}
