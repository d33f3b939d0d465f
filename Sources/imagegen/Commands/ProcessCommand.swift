import Foundation
import Host
import Catalog
import ImagegenCore
import Imaging
import Pipeline

/// `imagegen process ID... [--profile NAME]`: re-runs post-processing (new versions, nothing
/// overwritten); `imagegen process --pending [--limit N]`: works through the backlog now.
struct ProcessCommand: Command {
    static let name = "process"
    static let summary = "post-process images again (`process ID [--profile NAME]`) or the backlog (`process --pending`)"
    static let options: Set<String> = ["profile", "limit"]
    static let flags: Set<String> = ["pending"]

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let ids = args.positionals
        let pending = args.flags.contains("pending")
        guard pending != !ids.isEmpty else {
            throw .usage("usage: imagegen process IMAGE_ID... [--profile NAME]  or  imagegen process --pending [--limit N]")
        }
        if pending && args.string("profile") != nil {
            throw .usage("--profile applies to named images; the backlog uses each image's category profile")
        }
        let generator = try context.generator()
        let processor: PostProcessor
        do {
            processor = try PostProcessor(service: generator.service, catalog: try context.catalog())
        } catch {
            throw .failed("\(error)", .failure)
        }
        let targets: [(id: String, trigger: PostProcessingTrigger)]
        if pending {
            let limit = try args.int("limit") ?? 1_000
            let backlog = try context.catalogCall {
                try processor.store.backlog(maxAttempts: processor.settings.maxAttempts, limit: limit)
            }
            targets = backlog.map { ($0, .maintenance) }
            if !args.json { print("\(backlog.count) image(s) waiting for post-processing") }
        } else {
            targets = ids.map { ($0, .manual) }
        }
        var results: [ProcessedImage] = []
        var failures: [PostProcessingError] = []
        for target in targets {
            do throws(PostProcessingError) {
                if let done = try processor.process(imageID: target.id, profile: args.string("profile"), trigger: target.trigger) {
                    results.append(done)
                    if !args.json { print(ProcessCommand.describe(done, content: processor.content)) }
                }
            } catch {
                failures.append(error)
                Output.error("\(error)")
            }
        }
        if args.json { Output.json(results.map(Outcome.init)) }
        guard let first = failures.first else { return .success }
        switch first {
        case .unknownImage, .notAnOriginal, .processing(_, .unknownProfile): return .invalidInput
        default: return .failure
        }
    }

    static func describe(_ done: ProcessedImage, content: ContentStore) -> String {
        var lines = ["\(done.original.imageID): run \(done.run.run), profile \(done.run.profile), "
                     + "\(done.derivatives.count) derivative(s)\(enhancement(done.run.enhancement))"]
        lines.append(contentsOf: derivativeTable(done.derivatives).map { "  " + $0 })
        if let folder = done.derivatives.first.map({ content.absolute(($0.filePath as NSString).deletingLastPathComponent) }) {
            lines.append("  in \(folder)")
        }
        return lines.joined(separator: "\n")
    }

    static func enhancement(_ applied: AppliedEnhancement?) -> String {
        guard let applied else { return "" }
        var parts: [String] = []
        if let black = applied.blackPoint, let white = applied.whitePoint {
            parts.append(String(format: "levels %.0f–%.0f (%.2f%% clipped)", black, white, applied.clippedFraction * 100))
        }
        if applied.sharpened { parts.append("sharpened") }
        return parts.isEmpty ? ", not enhanced" : ", " + parts.joined(separator: ", ")
    }

    static func derivativeTable(_ derivatives: [ImageRecord]) -> [String] {
        Output.tableLines(["RUN", "VARIANT", "FORMAT", "SIZE", "BYTES", "QUALITY", "IMAGE"], derivatives.map { i in
            ["\(i.version)", i.variant, ContentStore.fileExtension(mime: i.mime), "\(i.parameters.width)x\(i.parameters.height)",
             "\(i.bytes)", i.qualityScore.map { String(format: "%.1f", $0) } ?? "-", i.imageID]
        })
    }

    /// The JSON shape of one processed image.
    struct Outcome: Encodable {
        var imageID: String
        var run: PostProcessingRun
        var derivatives: [ImageRecord]
        init(_ done: ProcessedImage) {
            imageID = done.original.imageID
            run = done.run
            derivatives = done.derivatives
        }
        enum CodingKeys: String, CodingKey { case run, derivatives, imageID = "image_id" }
    }
}
