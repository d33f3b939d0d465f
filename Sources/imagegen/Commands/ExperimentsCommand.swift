import Foundation
import Host
import DurableFiles
import Templates
import ImagegenConfig
import Operations

/// `imagegen experiments [--json]`, `experiments show NAME`, `experiments promote NAME ARM [--force]`.
/// Promotion needs `metrics.report.min_arm_samples` (default 30) scored images in every arm — the
/// bar the report uses to suggest it — unless `--force`.
struct ExperimentsCommand: Command {
    static let name = "experiments"
    static let summary = "prompt A/B tests: per arm count, mean, 95% interval, P(best); `promote NAME ARM`"
    static let options: Set<String> = ["draws"]
    static let flags: Set<String> = ["force"]

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let generator = try context.generator()
        let catalog = try context.catalog()
        let library: TemplateLibrary
        do { library = try generator.templates.library() } catch { throw .failed("templates: \(error)", .failure) }
        let experiments = library.templates.filter { $0.experiment != nil }
        func report(_ t: PromptTemplate) throws(CLIError) -> ExperimentReport {
            do {
                let data = try catalog.experimentData(template: t.name)
                let state = try ExperimentState(template: t, assignments: data.assignments, outcomes: data.outcomes)
                // A fixed seed: the same data prints the same probabilities.
                var random = SplitMix64(seed: 0x1D3A)
                return try ExperimentReport(state: state, draws: try args.int("draws") ?? ExperimentReport.defaultDraws, using: &random)
            } catch let e as CLIError { throw e } catch { throw .failed("experiment \(t.name): \(error)", .failure) }
        }
        switch args.positionals.first {
        case nil, "list":
            let reports = try experiments.map { t throws(CLIError) in try report(t) }
            if args.json { Output.json(reports); return .success }
            if reports.isEmpty { print("no template has an experiment (add experiment: { arms: [...] } to a template)") }
            for r in reports { ExperimentsCommand.show(r) }
            return .success
        case "show":
            guard args.positionals.count == 2 else { throw .usage("usage: imagegen experiments show TEMPLATE") }
            guard let t = experiments.first(where: { $0.name == args.positionals[1] }) else {
                throw .failed("no experiment on template \(args.positionals[1]); experiments: \(experiments.map(\.name).joined(separator: ", "))", .invalidInput)
            }
            let r = try report(t)
            if args.json { Output.json(r) } else { ExperimentsCommand.show(r) }
            return .success
        case "promote":
            guard args.positionals.count == 3 else { throw .usage("usage: imagegen experiments promote TEMPLATE ARM [--force]") }
            let name = args.positionals[1], arm = args.positionals[2]
            guard let t = experiments.first(where: { $0.name == name }), let source = library.source(of: name) else {
                throw .failed("no experiment on template \(name)", .invalidInput)
            }
            if !args.flags.contains("force") {
                let minimum: Int
                do { minimum = try ReportSource.settings(HostConfiguration.load(path: context.paths.config)).minArmSamples } catch {
                    throw .usage("\(error)")
                }
                let current = try report(t)
                do { try ExperimentPromoter().checkSample(current, minimumPerArm: minimum) } catch {
                    throw .failed(error.description, .invalidInput)
                }
            }
            do {
                let text = try String(contentsOfFile: source.file, encoding: .utf8)
                let promotion = try ExperimentPromoter().promote(t, arm: arm, fileText: text, file: source.file)
                guard let newText = promotion.fileText else { throw CLIError.failed("the template file could not be edited", .failure) }
                try AtomicFile.write(Array(newText.utf8), to: source.file)
                try catalog.recordTemplateVersions([promotion.template], reason: "promoted arm \(arm)", now: Date())
                print("\(name): arm \(arm) promoted; version \(promotion.previousVersion) → \(promotion.newVersion) (\(source.file))")
                return .success
            } catch let e as CLIError { throw e } catch { throw .failed("promote: \(error)", .invalidInput) }
        case let other?:
            throw .usage("unknown experiments action \"\(other)\": use list, show TEMPLATE or promote TEMPLATE ARM")
        }
    }

    static func show(_ r: ExperimentReport) {
        Swift.print("experiment \(r.template) (\(r.phase)); leader: \(r.leader?.arm ?? "none yet")")
        Output.table(["ARM", "IMAGES", "SCORED", "MEAN", "95% INTERVAL", "P(BEST)"], r.arms.map { a in
            [a.arm, "\(a.assignments)", "\(a.count)", a.mean.map { String(format: "%.3f", $0) } ?? "-",
             String(format: "%.3f–%.3f", a.interval.lower, a.interval.upper), String(format: "%.3f", a.probabilityBest)]
        })
    }
}

