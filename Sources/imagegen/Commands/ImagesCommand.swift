import Foundation
import Host
import Catalog
import ImagegenCore
import Pipeline
import Templates

/// `imagegen images list [--category C] [--model M] [--tag T] [--since D] [--prompt-word W] [--review S] [--min-rating N]
/// [--rated true|false] [--quarantined] [--cursor C] [--json]`, `images show ID`, `approve ID…`, `reject ID… --reason R`,
/// `release ID --reason R` (a quarantined image).
struct ImagesCommand: Command {
    static let name = "images"
    static let summary = "list images; `images show ID`, `rate ID 1..5`, `approve ID…`, `reject ID… --reason R`, `release ID --reason R`, `history ID`, `regenerate ID [--seed S]`, `vary ID [--model M] [--strength S]`, `upscale ID [--model M] [--scale 2]`, `available`"
    static let options: Set<String> = ["category", "model", "tag", "since", "status", "limit", "seed", "prompt-word",
                                       "review", "min-rating", "rated", "cursor", "reason", "strength", "scale"]
    static let flags: Set<String> = ["quarantined"]

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let catalog = try context.catalog()
        switch args.positionals.first {
        case nil, "list":
            let since = try args.string("since").map { s throws(CLIError) in try DateArgument.parse(s, option: "since") }
            var filter = ImageFilter(category: args.string("category"), model: args.string("model"), tag: AutoTagger.filterTag(args.string("tag")),
                                     since: since, status: args.string("status"), limit: try args.int("limit") ?? 100)
            try ImagesCommand.reviewFilters(args, into: &filter)
            // Prompts are encrypted: words are found through the keyed word index (or by decrypting).
            if let words = args.string("prompt-word") {
                let images = try context.catalogCall { try catalog.images(matchingPromptWords: words, filter: filter) }
                if args.json { Output.json(images); return .success }
                ImagesCommand.table(images.map { ListedImage(record: $0, rating: nil, review: .pending($0.imageID)) }, ratings: false)
                return .success
            }
            let page = try context.catalogCall { try catalog.imagePage(filter) }
            // --json stays an array of records (scripts and the docs read it so); the next page's
            // cursor goes to standard error, as for the table.
            if args.json { Output.json(page.images) } else { ImagesCommand.table(page.images, ratings: true) }
            if let next = page.next { Output.error("more: --cursor \(next.token)") }
            return .success
        case "approve", "reject":
            return try ImagesCommand.review(args, context, catalog: catalog)
        case "release":
            return try ImagesCommand.release(args, context)
        case "show":
            guard args.positionals.count == 2 else { throw .usage("usage: imagegen images show IMAGE_ID") }
            let image: ImageRecord?
            do {
                image = try catalog.image(revealingPrompts: args.positionals[1])
            } catch {
                throw .failed("image \(args.positionals[1]): cannot show its prompt: \(error)", .failure)
            }
            guard let image else {
                throw .failed("no image \(args.positionals[1]); list them with `imagegen images list`", .invalidInput)
            }
            // The record, with the derivatives (and their scores) and post-processing runs of an original.
            Output.json(try context.catalogCall { try ImageDetails(record: image, catalog: catalog) })
            return .success
        case "rate":
            guard args.positionals.count == 3, let rating = Int(args.positionals[2]) else {
                throw .usage("usage: imagegen images rate IMAGE_ID 1..5")
            }
            let generator = try context.generator()
            let outcome: ImageRatingOutcome
            do {
                outcome = try generator.service.rate(imageID: args.positionals[1], rating: rating)
            } catch let e as ImageRatingError {
                throw .failed(e.description, .invalidInput)
            } catch {
                throw .failed("rating \(args.positionals[1]): \(error)", .failure)
            }
            if let problem = outcome.profileProblem { Output.error("rating recorded, but \(problem)") }
            if args.json { Output.json(outcome) } else { print("\(outcome.imageID) rated \(rating)") }
            return .success
        case "history":
            guard args.positionals.count == 2 else { throw .usage("usage: imagegen images history IMAGE_ID") }
            let chain = try context.catalogCall { try catalog.versionChain(imageID: args.positionals[1]) }
            guard !chain.isEmpty else { throw .failed("no image \(args.positionals[1])", .invalidInput) }
            if args.json { Output.json(chain); return .success }
            Output.table(["VERSION", "IMAGE", "PARENT", "VARIANT", "SEED", "GENERATED"], chain.map { i in
                ["\(i.version)", i.imageID, i.parentID ?? "-", i.variant, i.parameters.seed.map(String.init) ?? "-", i.metadata.generatedAt]
            })
            return .success
        case "regenerate":
            guard args.positionals.count == 2 else { throw .usage("usage: imagegen images regenerate IMAGE_ID [--seed S]") }
            let generator = try context.generator()
            let seed = try args.int("seed")
            if let seed, !(0...Int(UInt32.max)).contains(seed) { throw .usage("--seed must be within 0...\(UInt32.max)") }
            do {
                let jobs = try await generator.regenerate(imageID: args.positionals[1], seed: seed.map { UInt32($0) })
                let images = try await generator.wait(for: jobs)
                await generator.shutdown()
                if args.json { Output.json(images) } else {
                    for i in images { print("\(i.imageID) version \(i.version) of \(i.parentID ?? "-"): \(generator.service.content.absolute(i.filePath))") }
                }
                return .success
            } catch let e as GenerationFailure {
                throw .failed(e.description, e.job.state == .contentFiltered ? .contentFiltered : .provider)
            } catch {
                throw CLIError.from(error)
            }
        case "vary", "upscale":
            return try await derive(args, context)
        case "available":
            let images = try context.catalogCall { try catalog.availableImages(category: args.string("category"), tag: AutoTagger.filterTag(args.string("tag")),
                                                                               limit: try args.int("limit") ?? 100) }
            if args.json { Output.json(images); return .success }
            Output.table(["IMAGE", "CATEGORY", "TAGS", "FILE"], images.map { [$0.imageID, $0.category, $0.tags.joined(separator: ","), $0.filePath] })
            return .success
        case let other?:
            throw .usage("unknown images action \"\(other)\": use list, show ID, rate ID N, approve ID, reject ID --reason R, release ID --reason R, history ID, regenerate ID, vary ID, upscale ID or available")
        }
    }
}

/// Dates on the command line: YYYY-MM-DD (UTC midnight), full ISO 8601, or "7d"/"24h" ago; always
/// within years 0001...9999 (`TimeBounds`): `999999999999d` is refused, not turned into a time that
/// traps where it becomes milliseconds.
enum DateArgument {
    static func parse(_ s: String, option: String) throws(CLIError) -> Date {
        guard let date = read(s), TimeBounds.contains(date) else {
            throw .usage("--\(option) must be YYYY-MM-DD, an ISO 8601 time, or a span like 7d or 24h, \(TimeBounds.description); got \"\(s.prefix(64))\"")
        }
        return date
    }

    private static func read(_ s: String) -> Date? {
        for (unit, seconds) in [("d", 86_400.0), ("h", 3_600.0)] where s.hasSuffix(unit) {
            guard let n = Double(s.dropLast()) else { continue }
            guard n.isFinite, abs(n * seconds) <= TimeBounds.seconds.upperBound else { return nil }
            return Date().addingTimeInterval(-n * seconds)
        }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        if let d = day.date(from: s) { return d }
        return ISO8601DateFormatter().date(from: s)
    }
}
