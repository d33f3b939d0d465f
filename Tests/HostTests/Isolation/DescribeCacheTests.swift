import Foundation
import ImagegenJSON
import XCTest
@testable import ImagegenCore
@testable import PluginHost

/// The describe cache: a process loading an unchanged plugin takes its description from the
/// cache and starts no child until a call (or `warmUp`) needs one; anything the cache cannot
/// vouch for is described in a child again.
final class DescribeCacheTests: IsolationTestCase {
    var cacheFolder: String { scratch + "/cache" }

    func loader() -> PluginLoader {
        let (log, _) = TestEnvironment.capturingLog()
        return PluginLoader(log: log, secrets: EnvironmentSecrets(environment: [:]), runner: IsolationFixtures.runner,
                            describeCache: cacheFolder)
    }

    func cacheFile(_ generation: PluginGeneration) -> String { "\(cacheFolder)/\(generation.contentHash).hello" }

    func testAnUnchangedPluginLoadsFromTheCacheAndItsChildStartsOnTheFirstCall() throws {
        let file = try TestEnvironment.pluginLibrary("preview")
        let first = try loader().load(file: file, generation: 1).get()
        defer { first.retire() }
        XCTAssertEqual(first.runStatus.starts, 1, "a first load describes in a child")
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFile(first)))

        let second = try loader().load(file: file, generation: 2).get()
        defer { second.retire() }
        XCTAssertEqual(second.runStatus.starts, 0, "no child for a plugin described before")
        XCTAssertNil(second.runStatus.pid)
        XCTAssertEqual(second.manifest.id, first.manifest.id)
        XCTAssertEqual(second.manifest.models.map(\.name), first.manifest.models.map(\.name))
        XCTAssertEqual(second.abiMajor, first.abiMajor)
        XCTAssertEqual(second.runStatus.isolation, "process")

        // The first call starts the child and is answered by it.
        let instance = try second.makeInstance(config: ["schema": 1])
        let submitted = try instance.submit(ProviderHarness.request(model: "preview-1"))
        XCTAssertNotNil(submitted["ref"])
        XCTAssertEqual(second.runStatus.starts, 1)
        XCTAssertNotNil(second.runStatus.pid)
    }

    func testWarmUpStartsTheChildWithoutACall() throws {
        let file = try TestEnvironment.pluginLibrary("preview")
        try loader().load(file: file, generation: 1).get().retire()
        let cached = try loader().load(file: file, generation: 2).get()
        defer { cached.retire() }
        XCTAssertNil(cached.runStatus.pid)
        cached.transport.warmUp()
        let end = Date().addingTimeInterval(20)
        while cached.runStatus.pid == nil && Date() < end { usleep(10_000) }
        XCTAssertNotNil(cached.runStatus.pid, "warmUp started a child")
        XCTAssertEqual(cached.runStatus.starts, 1)
    }

    /// Another runner build's entry, a damaged entry and a description that no longer parses are
    /// all described again in a child (and the entry rewritten).
    func testEntriesTheCacheCannotVouchForAreDescribedAgain() throws {
        let file = try TestEnvironment.pluginLibrary("preview")
        let first = try loader().load(file: file, generation: 1).get()
        first.retire()
        let path = cacheFile(first)
        let good = try XCTUnwrap(FileManager.default.contents(atPath: path))

        var otherBuild = ByteWriter()
        otherBuild.text("imagegen-describe-1 another build")
        otherBuild.data(Array(good))
        let unparsable = RunnerMessage.Hello(abiMajor: 1, abiMinor: 0, offersBalance: false, offersReconcile: false,
                                             description: Array("{ not json".utf8))
        var bad = ByteWriter()
        bad.text(PluginDescribeCache(folder: cacheFolder, runner: IsolationFixtures.runner).fingerprint)
        bad.data(unparsable.encoded)
        for (what, bytes) in [("another runner build", otherBuild.bytes), ("truncated", Array(good.prefix(20))),
                              ("an unparsable description", bad.bytes)] {
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            let again = try loader().load(file: file, generation: 2).get()
            XCTAssertEqual(again.runStatus.starts, 1, "\(what): described in a child")
            XCTAssertEqual(again.manifest.id, first.manifest.id, what)
            again.retire()
            XCTAssertEqual(FileManager.default.contents(atPath: path), good, "\(what): the entry is rewritten")
        }
    }

    func testARefusedPluginIsNotCached() throws {
        let out = scratch + "/baddescribe.so"
        try TestEnvironment.compilePlugin(source: TestEnvironment.fixtureSource, output: out, defines: ["FIXTURE_BAD_DESCRIBE"])
        for _ in 0..<2 {
            guard case .failure = loader().load(file: out, generation: 1) else {
                return XCTFail("a malformed description must refuse the load every time")
            }
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: cacheFolder)) ?? []  // try?: no folder is no entry
        XCTAssertEqual(entries, [])
    }
}
