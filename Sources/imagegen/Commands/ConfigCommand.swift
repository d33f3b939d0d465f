import Foundation
import Host
import ImagegenConfig
import ImagegenJSON
import Operations
import Templates

/// `imagegen config check [--json]`: the config, the templates, the plan and the routing checked
/// together (each alone accepted mistakes the others would reveal), then the effective config
/// with secrets masked. Exit 0 when clean, 2 when not (a config that does not load is exit 2 too).
struct ConfigCommand: Command {
    static let name = "config"
    static let summary = "`check`: config, templates, plans and routing validated together; the effective config"
    static let options: Set<String> = []
    static let flags: Set<String> = []

    struct Report: Encodable {
        var ok: Bool
        var problems: [String]
        var effective: JSONValue
    }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        guard args.positionals.first == "check", args.positionals.count == 1 else {
            throw .usage("usage: imagegen config check [--json]")
        }
        let generator = try context.generator()
        let runtime = generator.service.runtime
        let configuration = runtime.configuration
        let library: TemplateLibrary
        do { library = try generator.templates.library() } catch { throw .failed("templates: \(error)", .failure) }
        let problems = HostConsistency.problems(configuration: configuration, loadedPlugins: runtime.plugins.generations.map(\.manifest.id),
                                                models: runtime.models, library: library)
        let report = Report(ok: problems.isEmpty, problems: problems, effective: configuration.effective())
        if args.json {
            Output.json(report)
        } else {
            for p in problems { print("error: \(p)") }
            print(problems.isEmpty ? "config OK: config, templates, plans and routing agree" : "\(problems.count) problem(s)")
            print("effective config (secrets masked):")
            Output.json(report.effective)
        }
        return problems.isEmpty ? .success : .invalidInput
    }
}
