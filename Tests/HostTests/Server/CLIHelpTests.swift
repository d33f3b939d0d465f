import Foundation
import XCTest
@testable import Host

/// `imagegen --help`, `COMMAND --help` and `--version`: every option of every command is
/// described (what it does, its default or range), so the help never lists a bare name.
final class CLIHelpTests: XCTestCase {
    private func run(_ args: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.buildDirectory + "/imagegen")
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: TestEnvironment.temporaryDirectory("cli-help"))
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testEveryOptionOfEveryCommandIsDescribed() throws {
        let overview = try run(["--help"])
        XCTAssertEqual(overview.status, 0)
        let commands = overview.stdout.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("commands:") }.dropFirst()
            .prefix { !$0.isEmpty }.compactMap { $0.split(separator: " ").first.map(String.init) }
        XCTAssertGreaterThanOrEqual(commands.count, 20, overview.stdout)
        var undescribed: [String] = []
        for command in commands {
            let help = try run([command, "--help"])
            XCTAssertEqual(help.status, 0, command)
            XCTAssertTrue(help.stdout.hasPrefix("imagegen \(command): "), help.stdout)
            for line in help.stdout.split(separator: "\n") where line.hasPrefix("  --") {
                if line.contains("(no description)") { undescribed.append("\(command): \(line)") }
            }
            XCTAssertTrue(help.stdout.contains("--data DIR"), "\(command): global options listed")
        }
        XCTAssertEqual(undescribed, [], "describe these options in Sources/imagegen/OptionHelp.swift")
        let generate = try run(["generate", "--help"])
        XCTAssertTrue(generate.stdout.contains("1...16"), "ranges are given: \(generate.stdout)")
    }

    func testVersion() throws {
        let version = try run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("imagegen "), version.stdout)
        XCTAssertTrue(version.stdout.contains("."), version.stdout)
    }
}
