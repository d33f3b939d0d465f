import Foundation
import XCTest
@testable import Host
@testable import CatalogSQLite
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Security

/// A throw-away host for one test: its own data folder, plugins folder (Preview copied from
/// the build output, plus any extra .so), and config.
final class TestHost {
    let root: String
    let paths: HostPaths
    let log: Log
    let lines: LineCollector

    /// - Parameter outputCheck: whether the config keeps the product's default output check (on,
    ///   the real detector). Off unless asked, so a thousand tests do not each start Python:
    ///   `output_check: { enabled: false }` goes in front of a config that does not name it.
    init(label: String, plugins: [String] = ["preview"], extraPlugins: [String] = [], config: String = "{}",
         outputCheck: Bool = false) throws {
        root = TestEnvironment.temporaryDirectory(label)
        let pluginDir = root + "/plugins"
        try FileManager.default.createDirectory(atPath: pluginDir, withIntermediateDirectories: true)
        for name in plugins {
            let src = try TestEnvironment.pluginLibrary(name)
            try FileManager.default.copyItem(atPath: src, toPath: "\(pluginDir)/libimagegen-\(name).so")
        }
        for path in extraPlugins {
            try FileManager.default.copyItem(atPath: path, toPath: "\(pluginDir)/\((path as NSString).lastPathComponent)")
        }
        try (outputCheck ? config : Self.withoutOutputCheck(config)).write(toFile: root + "/config.json5", atomically: true, encoding: .utf8)
        paths = HostPaths(config: root + "/config.json5", plugins: pluginDir, data: root + "/data")
        (log, lines) = TestEnvironment.capturingLog()
    }

    /// `config` with `output_check: { enabled: false }` first, unless it sets output_check itself.
    static func withoutOutputCheck(_ config: String) -> String {
        guard !config.contains("output_check"), let brace = config.firstIndex(of: "{") else { return config }
        return String(config[...brace]) + " output_check: { enabled: false }," + String(config[config.index(after: brace)...])
    }

    func generator() throws -> ImageGenerator {
        try ImageGenerator(configuration: .init(paths: paths, log: log))
    }

    /// Builds Preview from source under another id (a second provider for the same model).
    static func compilePreviewVariant(id: String, extraDefines: [String] = [], into folder: String) throws -> String {
        let src = TestEnvironment.repositoryRoot + "/Plugins/Preview"
        let out = "\(folder)/lib\(id).so"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-O1", "-fvisibility=hidden", "-I", src + "/include",
                             "-I", TestEnvironment.repositoryRoot + "/Sources/PluginAPI/include",
                             "-DPREVIEW_PLUGIN_ID=\"\(id)\"", "-o", out,
                             src + "/preview.c", src + "/preview_json.c", src + "/preview_render.c", "-lpng"]
            + extraDefines.map { "-D" + $0 }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestEnvironment.CompileFailure(message: "cc failed for \(id)") }
        return out
    }

    /// Runs the built `imagegen` binary against this host's folders.
    @discardableResult
    func cli(_ args: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> (status: Int32, signalled: Bool, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.buildDirectory + "/imagegen")
        process.arguments = args + ["--config", paths.config!, "--plugins", paths.plugins, "--data", paths.data]
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        if stdin != nil { process.standardInput = input }
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal,
                String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// The catalog as the host opens it: prompts (encrypted at rest) opened with the data folder's key.
    func catalog() throws -> SQLiteCatalog {
        let catalog = try SQLiteCatalog(path: paths.catalog)
        try HostSecurity.open(paths: paths, configuration: try Configuration.load(path: paths.config), log: log).attach(catalog)
        return catalog
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}
