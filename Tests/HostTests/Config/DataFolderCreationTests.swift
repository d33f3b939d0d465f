import Foundation
import XCTest
@testable import Host

/// Only commands that store something create the data folder: a read-only command run from any
/// folder (or with a mistyped --data) leaves no `data/` and no master key behind.
final class DataFolderCreationTests: XCTestCase {
    private func run(_ args: [String], in folder: String) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.buildDirectory + "/imagegen")
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var env = ProcessInfo.processInfo.environment
        for key in ["IMAGEGEN_DATA", "IMAGEGEN_CONFIG", "IMAGEGEN_PLUGINS"] { env[key] = nil }
        process.environment = env
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: e, as: UTF8.self))
    }

    func testReadOnlyCommandsLeaveNoDataFolder() throws {
        let plugins = try TestEnvironment.pluginLibrary("preview")
        for args in [["models"], ["plugins"], ["plugins", "--listen", "127.0.0.1:9"], ["route", "preview"], ["images"], ["jobs"],
                     ["costs"], ["plan"], ["config", "check"], ["audit"], ["tags"], ["stats"]] {
            let folder = TestEnvironment.temporaryDirectory("no-data")
            try FileManager.default.createDirectory(atPath: folder + "/plugins", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: plugins, toPath: folder + "/plugins/libimagegen-preview.so")
            let out = try run(args, in: folder)
            XCTAssertNotEqual(out.status, 2, "\(args): \(out.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/data"), "\(args) created ./data")
            if args != ["plugins", "--listen", "127.0.0.1:9"] {
                XCTAssertTrue(out.stderr.contains("no data folder at \(folder)/data"), "\(args): \(out.stderr)")
            }
            // A mistyped --data is not created either.
            let typo = folder + "/dta"
            _ = try run(args + ["--data", typo], in: folder)
            XCTAssertFalse(FileManager.default.fileExists(atPath: typo), "\(args) created the --data folder")
        }
    }

    func testGenerateCreatesTheDocumentedDefault() throws {
        let folder = TestEnvironment.temporaryDirectory("with-data")
        try FileManager.default.createDirectory(atPath: folder + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try TestEnvironment.pluginLibrary("preview"), toPath: folder + "/plugins/libimagegen-preview.so")
        let out = try run(["generate", "--prompt", "a teapot", "--width", "64", "--height", "64"], in: folder)
        XCTAssertEqual(out.status, 0, out.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/data/catalog.sqlite"))
        let list = try run(["images"], in: folder)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertFalse(list.stderr.contains("no data folder"), list.stderr)
    }
}
