import Foundation
import XCTest
@testable import Host
@testable import ImagegenCore

/// Paths and tools the tests share: the repository, the build output (where SwiftPM put the
/// plugin .so files), scratch folders, and the C compiler for ABI fixtures.
enum TestEnvironment {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// The folder holding the test bundle, which is where SwiftPM writes the plugin libraries.
    static let buildDirectory: String = {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return (bundle.bundlePath as NSString).deletingLastPathComponent
        }
        return (CommandLine.arguments[0] as NSString).deletingLastPathComponent
    }()

    /// A built plugin library, e.g. "preview" → libimagegen-preview.so. Fails the test with a
    /// hint when `swift build` has not been run.
    static func pluginLibrary(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = "\(buildDirectory)/libimagegen-\(name).so"
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(path) is missing: run `swift build` before `swift test` (make test does)", file: file, line: line)
            throw XCTSkip("plugin not built")
        }
        return path
    }

    static func temporaryDirectory(_ label: String = "t") -> String {
        let path = NSTemporaryDirectory() + "imagegen-test-\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Compiles C source into a shared object with the ABI header on the include path.
    static func compilePlugin(source: String, output: String, defines: [String] = [], libraries: [String] = []) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-O1", "-std=c11", "-Wall", "-Werror",
                             "-I", repositoryRoot + "/Sources/PluginAPI/include", "-o", output, source]
            + defines.map { "-D" + $0 } + libraries.map { "-l" + $0 }
        let pipe = Pipe()
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        let stderr = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else { throw CompileFailure(message: stderr) }
    }

    struct CompileFailure: Error, CustomStringConvertible { var message: String; var description: String { message } }

    static var fixtureSource: String { repositoryRoot + "/Tests/HostTests/Fixtures/abi_fixture.c" }

    /// A quiet log that keeps its lines for assertions.
    static func capturingLog() -> (Log, LineCollector) {
        let lines = LineCollector()
        return (Log(minimum: .debug, sinks: [{ lines.append($0) }]), lines)
    }
}

final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ line: String) { lock.lock(); storage.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}
