import Foundation
import Host
import Operations

/// `imagegen report [--day D | --week W] [--format text|json|html] [--output FILE]`: images per
/// category, cost, success rates, the slowest provider, best and worst quality, experiment
/// leaders and suggestions, for one day (default: today) or one ISO week, in the plan's time zone.
struct ReportCommand: Command {
    static let name = "report"
    static let summary = "daily or weekly report (text, JSON or HTML with charts) with suggestions"
    static let options: Set<String> = ["day", "week", "format", "output"]
    static let flags: Set<String> = []

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let zone = try context.planTimeZone()
        let period = try ReportCommand.period(args, zone: zone, now: Date())
        let format = args.string("format") ?? (args.json ? "json" : "text")
        guard ["text", "json", "html"].contains(format) else { throw .usage("--format must be text, json or html") }
        let generator = try context.generator()
        let catalog = try context.operationsCatalog()
        let source = ReportSource(service: generator.service, templates: generator.templates, catalog: catalog)
        let input: ReportInput
        do {
            input = try source.input(period: period, timeZone: zone, now: Date())
        } catch let e as AlertSettingsError {
            throw .usage(e.description)
        } catch {
            throw .failed("cannot gather the report's data: \(error)", .failure)
        }
        let report = ReportBuilder.build(input, generatedAt: Date())
        let bytes: Data
        switch format {
        case "json":
            do { bytes = try ReportJSONRenderer.render(report) } catch { throw .failed("cannot encode the report: \(error)", .failure) }
        case "html":
            bytes = Data(ReportHTMLRenderer.render(report).utf8)
        default:
            bytes = Data(ReportTextRenderer.render(report).utf8)
        }
        if let output = args.string("output") {
            do {
                try bytes.write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw .failed("cannot write \(output): \(error.localizedDescription); check the folder exists and is writable", .failure)
            }
            if !args.flags.contains("quiet") { print("report \(period) written to \(output)") }
        } else {
            FileHandle.standardOutput.write(bytes)
            if bytes.last != 0x0A { FileHandle.standardOutput.write(Data("\n".utf8)) }
        }
        return .success
    }

    /// `--day YYYY-MM-DD|today|yesterday`, `--week YYYY-Www|this|last` (or a date: its week); default today.
    static func period(_ args: Arguments, zone: TimeZone, now: Date) throws(CLIError) -> ReportPeriod {
        let today = CivilDate(now, in: zone)
        switch (args.string("day"), args.string("week")) {
        case (.some, .some):
            throw .usage("give --day or --week, not both")
        case let (day?, nil):
            switch day {
            case "today": return .day(today)
            case "yesterday": return .day(today.adding(days: -1))
            default:
                guard let d = CivilDate(parsing: day) else { throw .usage("--day must be YYYY-MM-DD, today or yesterday; got \"\(day)\"") }
                return .day(d)
            }
        case let (nil, week?):
            switch week {
            case "this": return ReportPeriod.isoWeek(containing: today)
            case "last": return ReportPeriod.isoWeek(containing: today.adding(days: -7))
            default:
                if let d = CivilDate(parsing: week) { return ReportPeriod.isoWeek(containing: d) }
                guard let p = ReportPeriod(parsing: week), case .isoWeek = p else {
                    throw .usage("--week must be an ISO week like 2026-W48, this, last, or a date in the week; got \"\(week)\"")
                }
                return p
            }
        case (nil, nil):
            return .day(today)
        }
    }
}
