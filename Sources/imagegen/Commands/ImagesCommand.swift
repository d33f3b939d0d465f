import Foundation
import Host

/// `imagegen images list [--category C] [--model M] [--tag T] [--since D] [--json]`, `images show ID`.
struct ImagesCommand: Command {
    static let name = "images"
    static let summary = "list images and their metadata; `images show ID`"
    static let options: Set<String> = ["category", "model", "tag", "since", "status", "limit"]
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let catalog = try context.catalog()
        switch args.positionals.first {
        case nil, "list":
            let since = try args.string("since").map { s throws(CLIError) in try DateArgument.parse(s, option: "since") }
            let filter = ImageFilter(category: args.string("category"), model: args.string("model"), tag: args.string("tag"),
                                     since: since, status: args.string("status"), limit: try args.int("limit") ?? 100)
            let images = try context.catalogCall { try catalog.images(filter) }
            if args.json { Output.json(images); return .success }
            Output.table(["IMAGE", "CATEGORY", "MODEL", "SIZE", "COST", "GENERATED", "FILE"], images.map { i in
                [i.imageID, i.category, i.model, "\(i.parameters.width)x\(i.parameters.height)", Output.money(i.metadata.cost),
                 i.metadata.generatedAt, i.filePath]
            })
            return .success
        case "show":
            guard args.positionals.count == 2 else { throw .usage("usage: imagegen images show IMAGE_ID") }
            guard let image = try context.catalogCall({ try catalog.image(args.positionals[1]) }) else {
                throw .failed("no image \(args.positionals[1]); list them with `imagegen images list`", .invalidInput)
            }
            Output.json(image)
            return .success
        case let other?:
            throw .usage("unknown images action \"\(other)\": use list or show ID")
        }
    }
}

/// Dates on the command line: YYYY-MM-DD (UTC midnight), full ISO 8601, or "7d"/"24h" ago.
enum DateArgument {
    static func parse(_ s: String, option: String) throws(CLIError) -> Date {
        if let n = Double(s.dropLast()), s.hasSuffix("d") { return Date().addingTimeInterval(-n * 86_400) }
        if let n = Double(s.dropLast()), s.hasSuffix("h") { return Date().addingTimeInterval(-n * 3_600) }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        if let d = day.date(from: s) { return d }
        if let d = ISO8601DateFormatter().date(from: s) { return d }
        throw .usage("--\(option) must be YYYY-MM-DD, an ISO 8601 time, or a span like 7d or 24h; got \"\(s)\"")
    }
}
