import Foundation
import Host
import Operations
import Templates

/// `imagegen templates [--category C] [--json]`, `templates show NAME`, `templates check`,
/// `templates history NAME`.
struct TemplatesCommand: Command {
    static let name = "templates"
    static let summary = "prompt templates: list, `show NAME`, `check`, `history NAME`"
    static let options: Set<String> = ["category"]
    static let flags: Set<String> = []
    /// The shipped templates are installed into `<data>/templates` on first use, to be edited there.
    static func createsDataFolder(_ positionals: [String]) -> Bool { true }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let generator = try context.generator()
        let library: TemplateLibrary
        do { library = try generator.templates.library() } catch { throw .failed("templates: \(error)", .failure) }
        switch args.positionals.first {
        case nil, "list":
            let list = library.templates.filter { args.string("category") == nil || $0.category == args.string("category") }
            if args.json { Output.json(list.map(TemplateRow.init)); return .success }
            Output.table(["TEMPLATE", "CATEGORY", "ADULT", "VERSION", "PLACEHOLDERS", "EXPERIMENT"], list.map { t in
                [t.name, t.category, t.adult ? "yes" : "no", t.version.description, t.placeholders.keys.sorted().joined(separator: ","),
                 t.experiment.map { $0.armNames.joined(separator: "/") } ?? ""]
            })
            for p in library.problems { Output.error(p.description) }
            return .success
        case "show":
            guard args.positionals.count == 2 else { throw .usage("usage: imagegen templates show NAME") }
            guard let t = library.template(named: args.positionals[1]) else {
                throw .failed("no template \(args.positionals[1]); known: \(library.templates.map(\.name).sorted().joined(separator: ", "))", .invalidInput)
            }
            Output.json(t)
            return .success
        case "check":
            // Beyond each file on its own: a pinned model must exist and allow the template's content.
            let routing = HostConsistency.templateProblems(library.templates, models: generator.service.runtime.models)
            for p in library.problems { print(p.description) }
            for p in routing { print("error: \(p.message)") }
            let errors = library.problems.filter { $0.severity == .error }.count + routing.count
            if args.json {
                Output.json(CheckReport(problems: library.problems, routing: routing.map { .init(template: $0.template, message: $0.message) }))
            } else {
                print("\(library.templates.count) template(s) loaded from \(generator.templates.folder.path); \(errors) error(s), \(library.problems.count + routing.count - errors) warning(s)")
            }
            return errors == 0 ? .success : .invalidInput
        case "history":
            guard args.positionals.count == 2 else { throw .usage("usage: imagegen templates history NAME") }
            let history = try context.catalogCall { try context.catalog().templateHistory(args.positionals[1]) }
            guard !history.isEmpty else { throw .failed("no recorded versions of \(args.positionals[1])", .invalidInput) }
            if args.json { Output.json(history); return .success }
            Output.table(["VERSION", "FIRST SEEN", "REASON"], history.map {
                [$0.version, ISO8601DateFormatter().string(from: $0.firstSeenAt), $0.reason]
            })
            return .success
        case let other?:
            throw .usage("unknown templates action \"\(other)\": use list, show NAME, check or history NAME")
        }
    }

    /// `templates check --json`: the files' problems, then the routing problems (unknown or unsuitable models).
    struct CheckReport: Encodable {
        struct Routing: Encodable { var template: String; var message: String }
        var problems: [TemplateProblem]
        var routing: [Routing]
    }

    struct TemplateRow: Codable {
        var name: String
        var category: String
        var adult: Bool
        var version: String
        var model: String?
        var tags: [String]
        var placeholders: [String: [String]]
        var experimentArms: [String]?
        init(_ t: PromptTemplate) {
            name = t.name
            category = t.category
            adult = t.adult
            version = t.version.description
            model = t.model
            tags = t.tags
            placeholders = t.placeholders
            experimentArms = t.experiment?.armNames
        }
        enum CodingKeys: String, CodingKey {
            case name, category, adult, version, model, tags, placeholders
            case experimentArms = "experiment_arms"
        }
    }
}
