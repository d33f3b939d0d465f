import Foundation
import Host
import ImagegenCore
import Pipeline

/// `imagegen route MODEL [--category C] [--json]`: which candidate a job would use now, and why.
struct RouteCommand: Command {
    static let name = "route"
    static let summary = "which provider a model's next job would go to, and why"
    static let options: Set<String> = ["category", "width", "height"]
    static let flags: Set<String> = []

    struct Row: Codable {
        var plugin: String
        var providerModel: String
        var priority: Int
        var price: PriceRule?
        var verdict: String
        var chosen: Bool
        /// Why it is placed last despite its priority (loaded after another plugin served the model).
        var orderNote: String?
        enum CodingKeys: String, CodingKey {
            case plugin, priority, price, verdict, chosen
            case providerModel = "provider_model", orderNote = "order_note"
        }
    }

    struct Answer: Codable {
        var model: String
        var chosen: Row?
        var candidates: [Row]
    }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        guard args.positionals.count == 1 else { throw .usage("usage: imagegen route MODEL [--category C] [--json]") }
        let generator = try context.generator()
        let plan: Router.Plan
        do {
            plan = try generator.service.route(model: args.positionals[0], category: args.string("category"),
                                               width: try args.int("width"), height: try args.int("height"))
        } catch {
            throw .failed("\(error)", .invalidInput)
        }
        let chosenKey = plan.chosen?.key
        let rows = plan.candidates.map { c, v in
            Row(plugin: c.plugin, providerModel: c.providerModel, priority: c.priority, price: c.price, verdict: v.description,
                chosen: c.key == chosenKey, orderNote: c.orderNote)
        }
        let answer = Answer(model: plan.model, chosen: rows.first(where: \.chosen), candidates: rows)
        if args.json { Output.json(answer); return .success }
        print("model \(plan.model): " + (answer.chosen.map { "→ \($0.plugin) (\($0.providerModel))" } ?? "no candidate can take a job now"))
        Output.table(["#", "PLUGIN", "PROVIDER MODEL", "PRIORITY", "PRICE", "VERDICT"], rows.enumerated().map { i, r in
            ["\(i + 1)", r.plugin, r.providerModel, "\(r.priority)", r.price?.description ?? "unknown", r.verdict]
        })
        for r in rows { if let note = r.orderNote { print("note: \(r.plugin) \(note)") } }
        return answer.chosen == nil ? .provider : .success
    }
}
