import Foundation
import Catalog
import Composition
import ImagegenCore
import Pipeline
import Security

/// `images approve ID…`, `images reject ID… --reason R`, `images release ID --reason R` and the
/// review filters of `images list`.
extension ImagesCommand {
    static func reviewFilters(_ args: Arguments, into filter: inout ImageFilter) throws(CLIError) {
        // Quarantined images (held back by the output check) are a review state to reviewers.
        if args.flags.contains("quarantined") || args.string("review") == ImageRecord.quarantined {
            filter.status = ImageRecord.quarantined
        } else if let text = args.string("review") {
            guard let state = ReviewState(rawValue: text) else {
                throw .usage("--review must be one of \(ReviewState.allCases.map(\.rawValue).joined(separator: ", ")), quarantined, got \"\(text.prefix(40))\"")
            }
            filter.review = state
        }
        if let n = try args.int("min-rating") {
            guard (1...5).contains(n) else { throw .usage("--min-rating must be 1…5, got \(n)") }
            filter.minRating = n
        }
        switch args.string("rated") {
        case nil: break
        case "true": filter.rated = true
        case "false": filter.rated = false
        case let other?: throw .usage("--rated must be true or false, got \"\(other.prefix(40))\"")
        }
        if let text = args.string("cursor") {
            guard let cursor = ImageCursor(token: text) else { throw .usage("--cursor must be the value a previous listing printed") }
            filter.after = cursor
        }
    }

    static func table(_ images: [ListedImage], ratings: Bool) {
        var header = ["IMAGE", "CATEGORY", "MODEL", "SIZE", "COST", "GENERATED"]
        if ratings { header += ["RATING", "REVIEW"] }
        Output.table(header + ["FILE"], images.map { l in
            let i = l.record
            var row = [i.imageID, i.category, i.model, "\(i.parameters.width)x\(i.parameters.height)", Output.money(i.metadata.cost),
                       i.metadata.generatedAt]
            if ratings { row += [l.rating.map(String.init) ?? "-", i.status == ImageRecord.completed ? l.review.state.rawValue : i.status] }
            return row + [i.filePath]
        })
    }

    /// Approves or rejects originals (all or none), audited under the command-line user.
    static func review(_ args: Arguments, _ context: CommandContext, catalog: EntryCatalog) throws(CLIError) -> ExitCode {
        let action = args.positionals[0]
        let ids = Array(args.positionals.dropFirst())
        guard !ids.isEmpty else {
            throw .usage(action == "approve" ? "usage: imagegen images approve IMAGE_ID..." : "usage: imagegen images reject IMAGE_ID... --reason TEXT")
        }
        let decision: ReviewDecision
        if action == "approve" {
            guard args.string("reason") == nil else { throw .usage("--reason goes with reject, not approve") }
            decision = .approve
        } else {
            guard let reason = args.string("reason") else { throw .usage("imagegen images reject needs --reason TEXT (why it is rejected)") }
            decision = .reject(reason: reason)
        }
        let security = try context.security()
        let reviews: [ImageReview]
        do {
            reviews = try catalog.review(imageIDs: ids, decision: decision, reviewer: Caller.effective.principal, now: Date())
        } catch let e as ReviewError {
            throw .failed(e.description, .invalidInput)
        } catch {
            throw .failed("catalog: \(error)", .failure)
        }
        for r in reviews {
            if let reason = r.reason {
                security.audit.record(.imageRejection, subject: r.imageID, details: ["reason": reason])
            } else {
                security.audit.record(.imageApproval, subject: r.imageID)
            }
        }
        if args.json { Output.json(reviews) } else {
            for r in reviews { print("\(r.imageID) \(r.state.rawValue)\(r.reason.map { ": \($0)" } ?? "")") }
        }
        return .success
    }

    /// Releases an image the output check quarantined, audited under the command-line user.
    static func release(_ args: Arguments, _ context: CommandContext) throws(CLIError) -> ExitCode {
        guard args.positionals.count == 2 else { throw .usage("usage: imagegen images release IMAGE_ID --reason TEXT") }
        guard let reason = args.string("reason") else {
            throw .usage("imagegen images release needs --reason TEXT (why the held image is fine to publish)")
        }
        let generator = try context.generator()
        let record: ImageRecord
        do {
            record = try generator.service.releaseQuarantine(imageID: args.positionals[1], reason: reason)
        } catch let e as QuarantineReleaseError {
            if case .hardLine = e { throw .failed(e.description, .contentFiltered) }
            throw .failed(e.description, .invalidInput)
        } catch {
            throw .failed("releasing \(args.positionals[1]): \(error)", .failure)
        }
        if args.json { Output.json(record) } else { print("\(record.imageID) released: \(record.status)") }
        return .success
    }
}
