import Foundation
import Host
import Catalog
import Operations

/// `imagegen takedown IMAGE_ID | --sha256 HEX | --like FILE --reason R [--requested-at TIME]`: removes
/// the image, its derivatives and every identical or near-identical copy, locally and in the
/// cloud, leaving a tombstone (docs/security.md, "Takedown").
/// `takedown list` shows each request with its time to completion; `takedown resume` finishes
/// requests a crash or a failed cloud delete left open; `takedown backfill` hashes older images.
struct TakedownCommand: Command {
    static let name = "takedown"
    static let summary = "remove an image and its copies: `takedown ID|--sha256 HEX|--like FILE --reason R`, `list`, `resume`"
    static let options: Set<String> = ["sha256", "like", "reason", "requested-at", "limit"]
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        switch args.positionals.first {
        case "list":
            let catalog = try context.catalog()
            let requests = try context.catalogCall { try catalog.takedowns(limit: try args.int("limit") ?? 100) }
            if args.json { Output.json(requests); return .success }
            Output.table(["TAKEDOWN", "TARGET", "REQUESTED", "COMPLETED", "TIME TO COMPLETE", "IMAGES", "STATE"], requests.map { r in
                [r.id, "\(r.targetKind) \(r.target.prefix(40))", RecordTime.iso(r.requestedAt), r.completedAt.map(RecordTime.iso) ?? "-",
                 r.secondsToCompletion.map(Self.duration) ?? "-", "\(r.images.count)",
                 r.completedAt != nil ? "done" : (r.lastError.map { "incomplete: \($0)" } ?? "in progress")]
            })
            return .success
        case "resume":
            let records = try await run(context) { service throws(TakedownError) in try await service.resume() }
            if args.json { Output.json(records) } else { print("\(records.count) open takedown(s) completed") }
            return .success
        case "backfill":
            let count = try await run(context) { service throws(TakedownError) in try service.backfillFingerprints() }
            print("\(count) image(s) hashed")
            return .success
        default:
            break
        }
        guard let reason = args.string("reason") else { throw .usage(TakedownError.missingReason.description) }
        let requestedAt = try args.string("requested-at").map { s throws(CLIError) in try DateArgument.parse(s, option: "requested-at") }
        let targets = [args.positionals.first.map { TakedownRequest.Target.image($0) },
                       args.string("sha256").map { TakedownRequest.Target.sha256($0) },
                       try args.string("like").map { path throws(CLIError) in
                           guard let bytes = FileManager.default.contents(atPath: path) else {
                               throw .usage("--like \(path): cannot read the file; give the path of the reported image")
                           }
                           return TakedownRequest.Target.like(name: path, bytes: bytes)
                       }].compactMap { $0 }
        guard targets.count == 1, args.positionals.count <= 1 else {
            throw .usage("usage: imagegen takedown IMAGE_ID | --sha256 HEX | --like FILE --reason R [--requested-at TIME] (exactly one target)")
        }
        let request = TakedownRequest(target: targets[0], reason: reason, requestedAt: requestedAt)
        let record = try await run(context) { service throws(TakedownError) in try await service.takeDown(request) }
        if args.json { Output.json(record); return .success }
        print("\(record.id): \(record.images.count) image(s) taken down with their derivatives "
              + "(\(record.cleanup.files.count) file(s), \(record.cleanup.objectKeys.count) cloud object(s)) in "
              + (record.secondsToCompletion.map(Self.duration) ?? "-") + " from the request")
        for image in record.images { print("  \(image)") }
        return .success
    }

    private func run<T>(_ context: CommandContext, _ body: (TakedownService) async throws(TakedownError) -> T) async throws(CLIError) -> T {
        let generator = try context.generator()
        let service: TakedownService
        do {
            service = try generator.composition.takedownService()
        } catch {
            throw .failed(error.description, .failure)
        }
        do {
            let result = try await body(service)
            await generator.shutdown()
            return result
        } catch {
            await generator.shutdown()
            throw .failed(error.description, ExitCode(error.meaning))
        }
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 120 ? String(format: "%.1f s", seconds) : seconds < 7200 ? String(format: "%.1f min", seconds / 60)
            : String(format: "%.1f h", seconds / 3600)
    }
}
