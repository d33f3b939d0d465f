import Foundation
import XCTest
@testable import Host

/// Every example in README.md and docs/ is run, so the guides cannot drift from the program:
/// config blocks go through `imagegen config check`, the template example through
/// `imagegen templates check`, shell blocks against a fresh data folder and a running `serve`
/// (placeholders such as ID or SLOT replaced by real values; curl's host by the server's port).
/// A command fails the test when it exits 2 (invalid input: a renamed option, a wrong value),
/// dies of a signal, names an option its `--help` does not list, or a request gets a 4xx (but 409) or 5xx.
final class ExecutableDocsTests: XCTestCase {
    private let root = TestEnvironment.repositoryRoot
    private static let plugins = ["preview", "replicate", "stabilityai", "midjourney", "openai", "fal", "bfl", "a1111", "comfyui"]
    private static let attested = #"attestation: { attested_by: "Docs Test", attested_at: "2026-01-01" }"#

    private func host(_ label: String, config: String = "{ \(attested) }") throws -> TestHost {
        let available = Self.plugins.filter { FileManager.default.fileExists(atPath: "\(TestEnvironment.buildDirectory)/libimagegen-\($0).so") }
        return try TestHost(label: label, plugins: available, config: config)
    }

    /// A config block as a whole file: a fragment (`server: {…}`) is wrapped in braces.
    private func configFile(_ example: DocExample) -> String {
        let body = example.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let isWhole = body.split(separator: "\n").first { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }?
            .trimmingCharacters(in: .whitespaces).hasPrefix("{") == true
        return isWhole ? body : "{\n\(body)\n}"
    }

    func testEveryConfigExampleIsAcceptedByConfigCheck() throws {
        let examples = try DocExample.all(root: root).filter { $0.language == "json5" && $0.file != "docs/templates.md" }
        XCTAssertGreaterThanOrEqual(examples.count, 8, "the guides' config examples were found")
        let host = try host("docs-config")
        for example in examples {
            try configFile(example).write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
            let out = try host.cli(["config", "check"])
            XCTAssertEqual(out.status, 0, "\(example.place): the config example is refused:\n\(out.stdout)\(out.stderr)")
        }
    }

    func testTheTemplateExampleIsAcceptedByTemplatesCheck() throws {
        let examples = try DocExample.all(root: root).filter { $0.language == "json5" && $0.file == "docs/templates.md" }
        XCTAssertFalse(examples.isEmpty)
        for example in examples {
            let host = try host("docs-template")
            let folder = host.paths.data + "/templates"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let category = example.text.firstMatch(of: /category:\s*"([a-z0-9_-]+)"/)?.1 ?? "example"
            try example.text.write(toFile: "\(folder)/\(category).json5", atomically: true, encoding: .utf8)
            let out = try host.cli(["templates", "check"])
            XCTAssertEqual(out.status, 0, "\(example.place): the template example is refused:\n\(out.stdout)\(out.stderr)")
        }
    }

    func testEveryShellExampleRunsAgainstAFreshDataFolderAndARunningServer() async throws {
        // Cloud storage on a local S3 (moto), so `storage sync|verify` run; the profile the examples
        // name (`--profile web`), as docs/post-processing.md defines it; every built plugin.
        let moto = try await MotoS3Server.start()
        defer { moto.stop() }
        let bed = try await StorageTestBed(moto: moto, label: "docs-shell",
                                           extraConfig: ", \(Self.attested)", postProcessing: true)
        let host = bed.host
        let config = try String(contentsOfFile: host.paths.config!, encoding: .utf8)
            .replacingOccurrences(of: "postProcessing: { automatic: true } }", with: "postProcessing: { automatic: true }, profiles: { web: {} } }")
        try config.write(toFile: host.paths.config!, atomically: true, encoding: .utf8)
        for plugin in Self.plugins where plugin != "preview" {
            let library = "\(TestEnvironment.buildDirectory)/libimagegen-\(plugin).so"
            if FileManager.default.fileExists(atPath: library) {
                try FileManager.default.copyItem(atPath: library, toPath: "\(host.paths.plugins)/libimagegen-\(plugin).so")
            }
        }
        let credentials = ["AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey]
        // Something to show, rate, process and cancel: two images and their jobs.
        let made = try host.cli(["generate", "--prompt", "a red teapot", "--category", "product", "--tag", "kitchen",
                                 "--width", "64", "--height", "64", "--json"], environment: credentials)
        XCTAssertEqual(made.status, 0, made.stderr)
        let listing = try host.cli(["images", "--json"]).stdout
        let images = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(listing.utf8)) as? [[String: Any]], listing)
        let imageID = try XCTUnwrap(images.first?["image_id"] as? String)
        let jobID = try XCTUnwrap(images.first?["job_id"] as? String)

        let server = try ServerProcessTests.ServeProcess(host, environment: credentials)
        try await server.waitUntilListening()
        defer { server.process.interrupt() }

        let scratch = TestEnvironment.temporaryDirectory("docs-scratch")
        let context = ExampleContext(host: host, port: server.port, imageID: imageID, jobID: jobID, scratch: scratch,
                                     credentials: credentials)
        var ran = 0, problems: [String] = []
        for example in try DocExample.all(root: root) where example.language == "sh" {
            for (line, command) in example.commands {
                let place = "\(example.file):\(line)"
                do {
                    if let outcome = try run(command, context: context) {
                        ran += 1
                        if let problem = outcome { problems.append("\(place): \(command)\n    \(problem)") }
                    }
                } catch {
                    problems.append("\(place): \(command)\n    \(error)")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(ran, 40, "the guides' commands were found and run")
        XCTAssertEqual(problems, [], "\n" + problems.joined(separator: "\n"))
        _ = await server.waitForExit()
    }

    // MARK: - Running one command

    private struct ExampleContext {
        var host: TestHost
        var port: Int
        var imageID: String
        var jobID: String
        var scratch: String
        var credentials: [String: String]
        var backups: String { scratch + "/backups" }
        var environment: [String: String] {
            credentials.merging(["IMAGEGEN_CONFIG": host.paths.config!, "IMAGEGEN_PLUGINS": host.paths.plugins,
                                 "IMAGEGEN_DATA": host.paths.data]) { $1 }
        }
    }

    /// nil: not run (a command a test cannot run); .some(nil): ran fine; .some(problem).
    private func run(_ command: String, context: ExampleContext) throws -> String?? {
        var command = command
        if command.hasSuffix("&") { command = String(command.dropLast()).trimmingCharacters(in: .whitespaces) }
        let words = ShellWords.split(command)
        switch words.first {
        case "imagegen": break
        case "curl": return .some(try curl(command, context: context))
        case "cc": return .some(try compile(command, context: context))
        default: return nil  // make, export, pip, openssl: setup steps around the examples
        }
        var problems: [String] = []
        for variant in try expand(Array(words.dropFirst()), context: context) {
            if let problem = try runImagegen(variant, context: context) { problems.append(problem) }
        }
        return .some(problems.isEmpty ? nil : problems.joined(separator: "\n    "))
    }

    /// `[--opt V]` kept, `a|b|c` one command each (none with a URL: tests stay off the network),
    /// placeholders replaced.
    private func expand(_ words: [String], context: ExampleContext) throws -> [[String]] {
        let plain = words.flatMap { word -> [String] in
            var w = word
            if w.hasPrefix("[") { w.removeFirst() }
            if w.hasSuffix("]") { w.removeLast() }
            return w.isEmpty ? [] : [w]
        }
        var variants: [[String]] = [[]]
        for (index, word) in plain.enumerated() {
            let choices = word.contains("|") && !word.hasPrefix("-")
                ? word.split(separator: "|").map(String.init).filter { !$0.contains("://") } : [word]
            variants = variants.flatMap { prefix in
                choices.map { prefix + [substitute($0, before: Array(plain[..<index]), context: context)] }
            }
        }
        return variants
    }

    private func substitute(_ word: String, before: [String], context: ExampleContext) -> String {
        if word.range(of: #"^img_[0-9a-zA-Z]+$"#, options: .regularExpression) != nil { return context.imageID }
        if word.range(of: #"^job_[0-9a-z]{8,}$"#, options: .regularExpression) != nil { return context.jobID }
        switch word {
        case "ID": return before.contains("jobs") ? context.jobID : context.imageID
        case "SLOT": return "daily/feet"
        case "NAME": return "product_packshot"  // a shipped template, with an experiment
        case "ARM": return "a"
        case "S": return "7"
        case "N": return "2"
        case "D": return "7d"
        case "C": return "product"
        case "M": return "preview"
        case "T": return "kitchen"
        case "DIR": return context.backups
        case "FILE": return context.scratch + "/key.file"
        case "NEWDIR": return context.scratch + "/restored-\(UUID().uuidString.prefix(6))"
        case "ARCHIVE":
            // try?: no backup yet leaves a path that does not exist, which restore must refuse cleanly
            let newest = (try? FileManager.default.contentsOfDirectory(atPath: context.backups))?.sorted().last
            return newest.map { context.backups + "/" + $0 } ?? context.backups + "/none.tar.gz"
        default: return word
        }
    }

    private func runImagegen(_ args: [String], context: ExampleContext) throws -> String? {
        if let unknown = args.first(where: { $0.range(of: #"^[A-Z][A-Z_:]*$"#, options: .regularExpression) != nil }) {
            return "placeholder \(unknown) has no substitution in ExecutableDocsTests.substitute"
        }
        guard let command = args.first(where: { !$0.hasPrefix("-") }) else { return nil }
        let help = try imagegen([command, "--help"], context: context)
        for option in args where option.hasPrefix("--") {
            let name = option.split(separator: "=").first.map(String.init) ?? option
            if !help.stdout.contains("  \(name) ") && !help.stdout.contains("  \(name)\n") {
                return "\(name) is not an option of `imagegen \(command)` (its --help does not list it)"
            }
        }
        if command == "serve" { return nil }  // the test's own server runs; its options were checked
        let out = try imagegen(args, context: context)
        if out.signalled { return "killed by a signal (status \(out.status)): \(out.stderr.suffix(300))" }
        if out.status == 2 { return "exit 2 (invalid input): \(out.stderr.suffix(400))" }
        return nil
    }

    private func imagegen(_ args: [String], context: ExampleContext) throws -> (status: Int32, signalled: Bool, stdout: String, stderr: String) {
        try launch(TestEnvironment.buildDirectory + "/imagegen", args, context: context)
    }

    private func curl(_ command: String, context: ExampleContext) throws -> String? {
        var line = command
            .replacingOccurrences(of: "http://127.0.0.1:8080", with: "http://127.0.0.1:\(context.port)")
            .replacingOccurrences(of: "http://host:8080", with: "http://127.0.0.1:\(context.port)")
            .replacingOccurrences(of: #"img_[0-9a-zA-Z]+"#, with: context.imageID, options: .regularExpression)
            .replacingOccurrences(of: #"job_[0-9a-z]{8,}"#, with: context.jobID, options: .regularExpression)
        guard line.contains("127.0.0.1:\(context.port)") else { return "the example's URL is not the server's (127.0.0.1:8080)" }
        line = "curl -sS --max-time 60 -w '\\n%{http_code}' " + line.dropFirst("curl".count)
        let out = try launch("/bin/sh", ["-c", line], context: context)
        let code = Int(out.stdout.split(separator: "\n").last ?? "") ?? 0
        print("docs curl \(code): \(command.prefix(100))")
        // 409 (a finished job cannot be cancelled) is an answer the example shows; any other 4xx is drift.
        if code == 0 || ((400..<500).contains(code) && code != 409) || code >= 500 {
            return "HTTP \(code): \(out.stdout.suffix(300))\(out.stderr.suffix(200))"
        }
        return nil
    }

    /// The plugin author's guide compiles its example plugin into the plugins folder.
    private func compile(_ command: String, context: ExampleContext) throws -> String? {
        let line = command.replacingOccurrences(of: " plugins/", with: " \(context.host.paths.plugins)/")
        let out = try launch("/bin/sh", ["-c", "cd '\(root)' && \(line)"], context: context)
        return out.status == 0 ? nil : "the compile failed: \(out.stderr.suffix(400))"
    }

    private func launch(_ executable: String, _ args: [String], context: ExampleContext) throws -> (status: Int32, signalled: Bool, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: context.scratch)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in context.environment { env[k] = v }
        env["IMAGEGEN_API_TOKEN"] = nil
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: watchdog)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal,
                String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
