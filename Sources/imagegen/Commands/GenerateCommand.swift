import Foundation
import Host
import Catalog
import Crypto
import ImagegenCore
import Pipeline
import Security
import Templates

/// `imagegen generate --prompt P [--model M] ...`: queue, wait with progress, print records.
struct GenerateCommand: Command {
    static let name = "generate"
    static let summary = "generate images from a prompt or a template (waits and prints the metadata records)"
    static let options: Set<String> = ["model", "prompt", "negative", "width", "height", "steps", "guidance", "seed",
                                       "category", "variations", "priority", "deadline", "tag", "template", "profile"]
    static let flags: Set<String> = ["no-wait"]
    static func createsDataFolder(_ positionals: [String]) -> Bool { true }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let generator = try context.generator()
        let jobs: [Job]
        do {
            if args.string("template") != nil || (args.string("prompt") == nil && args.positionals.isEmpty && args.string("category") != nil) {
                for flag in ["prompt", "negative", "width", "height", "steps", "guidance", "tag"] where args.string(flag) != nil {
                    throw CLIError.usage("--\(flag) cannot be combined with --template: the template sets it (edit the template instead)")
                }
                jobs = try await generator.submit(TemplateRequest(
                    template: args.string("template"), category: args.string("category"), variations: try args.int("variations") ?? 1,
                    model: args.string("model"), seed: try args.int("seed").map { UInt64(max(0, $0)) }, profile: args.string("profile"),
                    priority: try args.int("priority"), deadlineSeconds: try args.double("deadline")))
            } else {
                guard let prompt = args.string("prompt") ?? (args.positionals.isEmpty ? nil : args.positionals.joined(separator: " ")) else {
                    throw CLIError.usage("generate needs --prompt \"...\" (or the prompt as arguments), or --template NAME")
                }
                if args.string("profile") != nil { throw CLIError.usage("--profile applies to templates: use it with --template") }
                jobs = try await generator.submit(GenerationRequest(
                    model: args.string("model"), prompt: prompt, negativePrompt: args.string("negative"),
                    width: try args.int("width"), height: try args.int("height"), steps: try args.int("steps"),
                    guidanceScale: try args.double("guidance"), seed: try args.int("seed").map(Int64.init),
                    category: args.string("category"), variations: try args.int("variations"),
                    tags: args.string("tag").map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } },
                    priority: try args.int("priority"), deadlineSeconds: try args.double("deadline")))
            }
        } catch let e as CLIError {
            throw e
        } catch {
            throw CLIError.from(error)
        }
        if args.flags.contains("no-wait") {
            if args.json { Output.json(jobs) } else { for j in jobs { print("\(j.id) queued") } }
            return .success
        }
        let tty = isatty(STDERR_FILENO) == 1 && !args.json
        let started = Date()
        let finished: [Job]
        do {
            // One short line a batch on a terminal (cut to its width so redraws never wrap); nothing on a pipe.
            let progressLine = BatchProgressLine(width: BatchProgressLine.terminalWidth() - 1)
            finished = try await generator.waitUntilFinished(jobs) { current in
                guard tty else { return }
                let line = progressLine.render(current, elapsed: Date().timeIntervalSince(started))
                FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            }
        } catch {
            throw .failed("waiting for the jobs failed: \(error)", .failure)
        }
        var records: [ImageRecord] = []
        for j in finished {
            do {
                records += try generator.service.catalog.images(ImageFilter(jobID: j.id))
            } catch {
                throw .failed("job \(j.id) finished but its images cannot be read from the catalog: \(error)", .failure)
            }
        }
        if tty && !records.isEmpty { FileHandle.standardError.write(Data("\r\u{1B}[Kpost-processing \(records.count) image(s)…".utf8)) }
        await generator.waitForPostProcessing(of: records)
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        await generator.shutdown()
        if args.json {
            Output.json(records)
        } else {
            for r in records {
                print("\(r.imageID)  \(generator.service.content.absolute(r.filePath))")
                print("    metadata: \(generator.service.content.absolute(generator.service.content.sidecarPath(for: r.filePath)))")
                print("    model \(r.model) via \(r.metadata.apiUsed), seed \(r.parameters.seed.map(String.init) ?? "-"), cost \(Output.money(r.metadata.cost)), quality \(r.qualityScore.map { String(format: "%.1f", $0) } ?? "-")")
                // try?: a summary line; `images show ID` reports the derivatives and any catalog error.
                if let derivatives = try? generator.postProcessing?.processor.store.derivatives(of: r.imageID), !derivatives.isEmpty {
                    print("    derivatives: " + derivatives.map { "\($0.variant).\(ContentStore.fileExtension(mime: $0.mime))" }.joined(separator: " "))
                }
            }
        }
        for j in finished where j.state != .succeeded {
            Output.error("\(j.id) \(j.state.rawValue): \(j.errorMessage ?? j.errorCode ?? "")")
        }
        if finished.contains(where: { $0.state == .contentFiltered || $0.errorCode == "policy_refused" }) { return .contentFiltered }
        if finished.contains(where: { $0.errorCode == "quota_exceeded" }) { return .budget }
        if finished.contains(where: { $0.state != .succeeded }) { return .provider }
        return .success
    }
}
