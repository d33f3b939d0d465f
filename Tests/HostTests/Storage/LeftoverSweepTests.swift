import Foundation
import XCTest
@testable import DurableFiles
@testable import Host
@testable import ImagegenCore
@testable import PluginHost

/// What killed processes leave behind — `AtomicFile` temp files and plugin scratch folders — is
/// swept at start, and only what belongs to processes that no longer run.
final class LeftoverSweepTests: XCTestCase {
    /// The pid of a process that has exited and been reaped.
    static func deadPID() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        let pid = process.processIdentifier
        XCTAssertTrue(ProcessLiveness.isDead(pid))
        return pid
    }

    static func touch(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
    }

    func testOnlyTempFilesOfDeadProcessesAreRemoved() throws {
        let dead = try Self.deadPID()
        let folder = TestEnvironment.temporaryDirectory("sweep-temp")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let deadTemp = folder + "/content/ab/.img_1.png.\(dead).12345.tmp"
        let liveTemp = folder + "/content/ab/.img_1.png.\(getpid()).678.tmp"
        let kept = [liveTemp,
                    folder + "/content/ab/img_1.png",
                    folder + "/content/ab/.notes.\(dead).tmp",          // not the temp shape
                    folder + "/content/ab/.img_2.png.\(dead).x1.tmp"]    // not the temp shape
        for path in [deadTemp] + kept { try Self.touch(path) }
        let deadAtTop = folder + "/.catalog.sqlite-meta.\(dead).9.tmp"
        try Self.touch(deadAtTop)

        let outcome = TempFileSweep.sweep(folder)

        XCTAssertEqual(Set(outcome.removed), [deadTemp, deadAtTop])
        XCTAssertEqual(outcome.failures, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: deadTemp))
        for path in kept { XCTAssertTrue(FileManager.default.fileExists(atPath: path), path) }
    }

    func testTempNamesAreParsedStrictly() {
        XCTAssertEqual(TempFileSweep.writerPID(ofTempName: ".a.b.json.42.7.tmp"), 42)
        XCTAssertNil(TempFileSweep.writerPID(ofTempName: "a.42.7.tmp"))
        XCTAssertNil(TempFileSweep.writerPID(ofTempName: "..42.7.tmp"))
        XCTAssertNil(TempFileSweep.writerPID(ofTempName: ".a.0.7.tmp"))
        XCTAssertNil(TempFileSweep.writerPID(ofTempName: ".a.42.7.tmpx"))
    }

    func testScratchFoldersOfDeadProcessesAreSwept() throws {
        let dead = try Self.deadPID()
        let base = TestEnvironment.temporaryDirectory("sweep-scratch")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let deadFolder = PluginScratch.folder(base: base, pid: dead)
        let liveFolder = PluginScratch.folder(base: base, pid: getpid())
        try Self.touch(deadFolder + "/0123456789ab-XXXXXX.so") // a copy left by a crash mid-load
        try FileManager.default.createDirectory(atPath: liveFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/other-\(dead)", withIntermediateDirectories: true)

        let outcome = PluginScratch.sweep(base: base)

        XCTAssertEqual(outcome.removed, [deadFolder])
        XCTAssertEqual(outcome.failures, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: deadFolder))
        XCTAssertTrue(FileManager.default.fileExists(atPath: liveFolder))
        XCTAssertTrue(FileManager.default.fileExists(atPath: base + "/other-\(dead)"))
    }

    func testAHostThatShutsDownLeavesNoScratchFolder() async throws {
        let host = try TestHost(label: "sweep-shutdown")
        let generator = try host.generator()
        XCTAssertFalse(generator.service.runtime.plugins.records.isEmpty, "a plugin was loaded through the scratch folder")
        await generator.shutdown()
        XCTAssertFalse(FileManager.default.fileExists(atPath: PluginScratch.folder()))
    }

    func testTheCLISweepsAtStartAndLeavesNoScratchFolder() throws {
        let host = try TestHost(label: "sweep-cli")
        let dead = try Self.deadPID()
        let leftover = host.paths.content + "/ab/.img_1.png.\(dead).5.tmp"
        let live = host.paths.content + "/ab/.img_1.png.\(getpid()).6.tmp"
        try Self.touch(leftover)
        try Self.touch(live)
        let deadScratch = PluginScratch.folder(pid: dead)
        try FileManager.default.createDirectory(atPath: deadScratch, withIntermediateDirectories: true)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.buildDirectory + "/imagegen")
        process.arguments = ["models", "--config", host.paths.config!, "--plugins", host.paths.plugins, "--data", host.paths.data]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)

        XCTAssertFalse(FileManager.default.fileExists(atPath: PluginScratch.folder(pid: process.processIdentifier)),
                       "the CLI's own scratch folder is removed at exit")
        XCTAssertFalse(FileManager.default.fileExists(atPath: leftover))
        XCTAssertTrue(FileManager.default.fileExists(atPath: live))
        XCTAssertFalse(FileManager.default.fileExists(atPath: deadScratch))
    }
}
