import Foundation
import XCTest
@testable import Host
@testable import PluginHost
@testable import ImagegenCore
@testable import Catalog

/// Misbehaving plugins built from `Fixtures/misbehaving_plugin.c` (Preview wrapped by a table
/// that crashes or hangs on demand), and hosts that run plugins in child processes.
enum IsolationFixtures {
    static var runner: String { TestEnvironment.buildDirectory + "/imagegen" }

    /// Compiles the fixture with `defines` (e.g. "MISBEHAVE_SEGV_POLL") into `folder/name`.
    static func faulty(_ defines: [String], name: String = "faulty.so", into folder: String) throws -> String {
        let preview = TestEnvironment.repositoryRoot + "/Plugins/Preview"
        let out = "\(folder)/\(name)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-O1", "-fvisibility=hidden", "-I", preview + "/include",
                             "-I", TestEnvironment.repositoryRoot + "/Sources/PluginAPI/include",
                             "-Dimagegen_plugin_entry_v1=preview_real_entry", "-o", out,
                             preview + "/preview.c", preview + "/preview_json.c", preview + "/preview_render.c",
                             TestEnvironment.repositoryRoot + "/Tests/HostTests/Fixtures/misbehaving_plugin.c", "-lpng"]
            + defines.map { "-D" + $0 }
        let err = Pipe()
        process.standardError = err
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestEnvironment.CompileFailure(message: message) }
        return out
    }
}

/// Base for the isolation suites: plugins run in children of the built `imagegen` binary.
class IsolationTestCase: XCTestCase {
    var scratch = ""

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: IsolationFixtures.runner) else {
            XCTFail("\(IsolationFixtures.runner) is missing: run `swift build` before `swift test`")
            throw XCTSkip("imagegen not built")
        }
        PluginRunnerLocation.executable = IsolationFixtures.runner
        scratch = TestEnvironment.temporaryDirectory("isolation")
    }

    override func tearDown() {
        PluginRunnerLocation.executable = nil
        try? FileManager.default.removeItem(atPath: scratch)  // try?: a temporary folder; a leftover is harmless
    }

    /// A host with Preview and the fixture built with `defines`.
    func host(_ defines: [String], config: String) throws -> TestHost {
        let plugin = try IsolationFixtures.faulty(defines, into: scratch)
        return try TestHost(label: "isolation", extraPlugins: [plugin], config: config)
    }

    /// A Preview generation still works (the host and the other plugin are unharmed).
    func assertPreviewWorks(_ generator: ImageGenerator, file: StaticString = #filePath, line: UInt = #line) async throws {
        let jobs = try await generator.submit(GenerationRequest(model: "preview", prompt: "a lighthouse", width: 64, height: 64, priority: 1000))
        let images = try await generator.wait(for: jobs)
        XCTAssertEqual(images.count, 1, file: file, line: line)
    }

    func finished(_ generator: ImageGenerator, _ jobs: [Job]) async throws -> Job {
        let done = try await generator.waitUntilFinished(jobs)
        return done[0]
    }

    /// Waits (bounded, generously) until `condition` holds.
    func eventually(_ what: String, timeout: TimeInterval = 60, _ condition: () throws -> Bool) async throws {
        let end = Date().addingTimeInterval(timeout)
        while try !condition() {
            if Date() > end { XCTFail("timed out waiting for \(what)"); return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    func faultyStatus(_ generator: ImageGenerator) -> PluginRunStatus? {
        generator.service.runtime.plugins.generation(forPlugin: "faulty")?.runStatus
    }
}
