import Foundation
import Host
import ImagegenCore
import Pipeline

extension ImagesCommand {
    /// `imagegen images vary ID [--model M] [--strength S]` and `images upscale ID [--model M]
    /// [--scale 2]`: a new version of the image (its `parent_id`), made from its stored bytes.
    func derive(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let action = args.positionals[0]
        guard args.positionals.count == 2 else {
            throw .usage(action == "vary" ? "usage: imagegen images vary IMAGE_ID [--model M] [--strength 0..1]"
                                          : "usage: imagegen images upscale IMAGE_ID [--model M] [--scale 2|3|4]")
        }
        let imageID = args.positionals[1]
        let strength = try args.double("strength")
        let scale = try args.int("scale")
        if action == "vary", scale != nil { throw .usage("--scale is for `images upscale`; vary takes --strength") }
        if action == "upscale", strength != nil { throw .usage("--strength is for `images vary`; upscale takes --scale") }
        let generator = try context.generator()
        do {
            let jobs = action == "vary"
                ? try await generator.vary(imageID: imageID, model: args.string("model"), strength: strength)
                : try await generator.upscale(imageID: imageID, model: args.string("model"), scale: scale)
            let images = try await generator.wait(for: jobs)
            await generator.shutdown()
            if args.json { Output.json(images) } else {
                for i in images {
                    print("\(i.imageID) version \(i.version) of \(i.parentID ?? "-") (\(i.parameters.width)x\(i.parameters.height)): "
                          + generator.service.content.absolute(i.filePath))
                }
            }
            return .success
        } catch let e as GenerationFailure {
            throw .failed(e.description, e.job.state == .contentFiltered ? .contentFiltered : .provider)
        } catch {
            throw CLIError.from(error)
        }
    }
}
