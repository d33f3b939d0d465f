import Host

/// `imagegen tags [--category C] [--json]`: tags in use, with image counts.
struct TagsCommand: Command {
    static let name = "tags"
    static let summary = "tags in use with their image counts"
    static let options: Set<String> = ["category"]
    static let flags: Set<String> = []

    struct Row: Codable { var tag: String; var images: Int }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let catalog = try context.catalog()
        let rows = try context.catalogCall { try catalog.tagCounts(category: args.string("category")) }.map { Row(tag: $0.tag, images: $0.count) }
        if args.json { Output.json(rows) } else { Output.table(["TAG", "IMAGES"], rows.map { [$0.tag, "\($0.images)"] }) }
        return .success
    }
}
