import Foundation
import XCTest
@testable import Host
@testable import ImagegenConfig
@testable import PluginHost

/// The loader against ABI fixtures built from C source here: what loads, what is refused, and
/// that each refusal names the file and the reason.
final class PluginLoaderTests: XCTestCase {
    var folder = ""

    override func setUp() {
        folder = TestEnvironment.temporaryDirectory("loader")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func fixture(_ name: String, _ defines: [String] = []) throws -> String {
        let out = "\(folder)/\(name).so"
        try TestEnvironment.compilePlugin(source: TestEnvironment.fixtureSource, output: out, defines: defines)
        return out
    }

    func load(_ path: String) -> Result<PluginGeneration, PluginRefusal> {
        let (log, _) = TestEnvironment.capturingLog()
        return PluginLoader(log: log, secrets: EnvironmentSecrets(environment: [:])).load(file: path, generation: 1)
    }

    func refusal(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> PluginRefusal? {
        switch load(path) {
        case .success(let g):
            XCTFail("\(path) loaded as \(g.manifest.id) but should be refused", file: file, line: line)
            return nil
        case .failure(let r):
            return r
        }
    }

    func testPlainOnePointZeroPluginLoads() throws {
        let gen = try load(fixture("v10")).get()
        XCTAssertEqual(gen.manifest.id, "fixture")
        XCTAssertEqual(gen.abi, "1.0")
        XCTAssertEqual(gen.manifest.models.map(\.name), ["fixture-model"])
        XCTAssertEqual(gen.manifest.models[0].price, .perImage(0.01))
    }

    func testFutureMinorWithLargerTableLoads() throws {
        let gen = try load(fixture("future", ["FIXTURE_FUTURE_MINOR"])).get()
        XCTAssertEqual(gen.abi, "1.7")
        XCTAssertEqual(gen.manifest.id, "fixture")
    }

    func testWrongMajorIsRefused() throws {
        let r = refusal(try fixture("major2", ["FIXTURE_MAJOR2"]))
        XCTAssertEqual(r, .wrongMajor(file: "major2.so", found: 2, expected: 1))
        XCTAssertEqual(r?.description, "major2.so: built for plugin ABI major 2, this host speaks major 1; rebuild it against imagegen_plugin.h 1.x")
    }

    func testMissingEntrySymbolIsRefused() throws {
        let r = refusal(try fixture("noentry", ["FIXTURE_NO_ENTRY"]))
        XCTAssertEqual(r, .noEntrySymbol(file: "noentry.so"))
        XCTAssertTrue(r?.description.contains("no entry symbol imagegen_plugin_entry_v1") ?? false)
    }

    func testTextFileNamedSoIsRefused() throws {
        let path = "\(folder)/x.so"
        try "this is not a plugin\n".write(toFile: path, atomically: true, encoding: .utf8)
        let r = refusal(path)
        XCTAssertEqual(r, .notELF(file: "x.so"))
        XCTAssertTrue(r?.description.hasPrefix("x.so: not an ELF shared object") ?? false)
    }

    func testMalformedDescribeIsRefused() throws {
        let r = refusal(try fixture("baddescribe", ["FIXTURE_BAD_DESCRIBE"]))
        guard case .invalidDescription(let f, let reason)? = r else { return XCTFail("got \(String(describing: r))") }
        XCTAssertEqual(f, "baddescribe.so")
        XCTAssertTrue(reason.contains("malformed JSON"), reason)
    }

    func testEntryReturningNullIsRefused() throws {
        XCTAssertEqual(refusal(try fixture("nullentry", ["FIXTURE_NULL_ENTRY"])), .entryReturnedNull(file: "nullentry.so"))
    }

    func testTableSmallerThanOnePointZeroIsRefused() throws {
        XCTAssertEqual(refusal(try fixture("small", ["FIXTURE_SMALL_TABLE"])),
                       .tableTooSmall(file: "small.so", size: 40, minimum: 96))
    }

    func testMinimumTableSizeMatchesTheHeader() {
        // ABI 1.0's table is the struct this host was compiled with; if a field is ever
        // appended, this constant must stay at the 1.0 size.
        XCTAssertEqual(PluginLoader.minimumTableSize, 96)
    }

    func testDescribeMissingFieldsIsRefused() {
        let cases: [(String, String)] = [
            (#"{"id":"a","version":"1","models":[]}"#, "schema"),
            (#"{"schema":1,"version":"1","models":[]}"#, "id"),
            (#"{"schema":1,"id":"a","models":[]}"#, "version"),
            (#"{"schema":1,"id":"a","version":"1"}"#, "models"),
            (#"{"schema":1,"id":"a","version":"1","models":[{"name":"m"}]}"#, "provider_model"),
            (#"{"schema":1,"id":"a","version":"1","models":[{"name":"m","provider_model":"x","price":{"per_image":-1}}]}"#, "price"),
            (#"{"schema":2,"id":"a","version":"1","models":[]}"#, "schema 2"),
        ]
        for (json, word) in cases {
            guard case .failure(let p) = PluginManifest.parse(Array(json.utf8)) else { XCTFail("accepted \(json)"); continue }
            XCTAssertTrue(p.description.contains(word), "\(p.description) should mention \(word)")
        }
    }

    func testFolderScanKeepsGoingPastBadFilesAndOrdersDuplicateModels() throws {
        _ = try fixture("a-good", [#"FIXTURE_ID="alpha""#, #"FIXTURE_MODEL="shared""#])
        _ = try fixture("b-good", [#"FIXTURE_ID="beta""#, #"FIXTURE_MODEL="shared""#])
        _ = try fixture("c-major2", ["FIXTURE_MAJOR2"])
        try "junk".write(toFile: "\(folder)/d.so", atomically: true, encoding: .utf8)
        let (log, lines) = TestEnvironment.capturingLog()
        let set = PluginSet(directory: folder, loader: PluginLoader(log: log, secrets: EnvironmentSecrets(environment: [:])),
                            log: log, providerConfig: [:])
        set.rescan()
        let records = set.records
        XCTAssertEqual(records.map(\.file), ["a-good.so", "b-good.so", "c-major2.so", "d.so"])
        XCTAssertEqual(records.map(\.status), ["loaded", "loaded", "refused", "refused"])
        XCTAssertTrue(lines.lines.contains { $0.contains("c-major2.so: built for plugin ABI major 2") })

        // Same model from two plugins: both kept, ordered by priority then plugin id.
        var config = Configuration()
        var table = ModelTable(manifests: set.generations.map(\.manifest), configuration: config)
        XCTAssertEqual(table.resolve("shared")?.candidates.map(\.plugin), ["alpha", "beta"])
        config.providers["beta"] = ["priority": 5]
        table = ModelTable(manifests: set.generations.map(\.manifest), configuration: config)
        XCTAssertEqual(table.resolve("shared")?.candidates.map(\.plugin), ["beta", "alpha"])
    }

    func testSamePluginIDFromTwoFilesRefusesTheSecond() throws {
        _ = try fixture("one")
        _ = try fixture("two")
        let (log, _) = TestEnvironment.capturingLog()
        let set = PluginSet(directory: folder, loader: PluginLoader(log: log, secrets: EnvironmentSecrets(environment: [:])),
                            log: log, providerConfig: [:])
        set.rescan()
        XCTAssertEqual(set.records.map(\.status), ["loaded", "refused"])
        XCTAssertEqual(set.records[1].error, "two.so: plugin id \"fixture\" is already loaded from one.so; remove one of the two files")
    }

    /// A plugin file that is a symbolic link (into a build folder) is watched through the link:
    /// a new build at the target is loaded on the next scan.
    func testALinkedPluginIsReloadedWhenItsTargetChanges() throws {
        let builds = TestEnvironment.temporaryDirectory("linked-builds")
        defer { try? FileManager.default.removeItem(atPath: builds) }  // try?: test scratch cleanup
        try TestEnvironment.compilePlugin(source: TestEnvironment.fixtureSource, output: builds + "/fixture.so",
                                          defines: [#"FIXTURE_ID="linked""#])
        try FileManager.default.createSymbolicLink(atPath: folder + "/linked.so", withDestinationPath: builds + "/fixture.so")
        let (log, _) = TestEnvironment.capturingLog()
        let set = PluginSet(directory: folder, loader: PluginLoader(log: log, secrets: EnvironmentSecrets(environment: [:])),
                            log: log, providerConfig: [:])
        set.rescan()
        XCTAssertEqual(set.generations.flatMap { $0.manifest.models.map(\.name) }, ["fixture-model"])
        // A new build at the target: another model, a later modification time.
        try TestEnvironment.compilePlugin(source: TestEnvironment.fixtureSource, output: builds + "/next.so",
                                          defines: [#"FIXTURE_ID="linked""#, #"FIXTURE_MODEL="next-model""#])
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: builds + "/next.so")
        _ = rename(builds + "/next.so", builds + "/fixture.so")
        let changes = set.rescan()
        XCTAssertEqual(changes.count, 1, "\(changes)")
        XCTAssertEqual(set.generations.flatMap { $0.manifest.models.map(\.name) }, ["next-model"])
    }
}
