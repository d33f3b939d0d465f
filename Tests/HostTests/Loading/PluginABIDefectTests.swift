import Foundation
import ImagegenJSON
import PluginAPI
import XCTest
@testable import Host
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import PluginHost

/// ABI defects found by review (issue 15), each pinned by a test against a C fixture or the
/// host table itself.
final class PluginABIDefectTests: XCTestCase {
    func loadFixture(_ label: String, _ defines: [String] = []) throws -> (PluginSet, PluginGeneration, LineCollector) {
        let folder = TestEnvironment.temporaryDirectory(label)
        let so = try BoundaryCheckTests.buildFixture(defines, id: "mb", model: "mb-model")
        try FileManager.default.copyItem(atPath: so, toPath: folder + "/libmb.so")
        let (log, lines) = TestEnvironment.capturingLog()
        let set = PluginSet(directory: folder, loader: PluginLoader(log: log, secrets: EnvironmentSecrets(environment: [:])),
                            log: log, providerConfig: [:])
        set.rescan()
        return (set, try XCTUnwrap(set.generation(forPlugin: "mb")), lines)
    }

    /// Racing first uses used to run `create` once each, making instances nobody used.
    func testRacingFirstUsesCreateOneInstance() throws {
        let (set, gen, _) = try loadFixture("abi-create")
        let group = DispatchGroup()
        let instances = LineCollector()
        for _ in 0..<8 {
            DispatchQueue.global().async(group: group) {
                if let i = try? set.instance(forPlugin: "mb") { instances.append("\(ObjectIdentifier(i))") }  // try?: a failure shows as a missing instance below
            }
        }
        group.wait()
        XCTAssertEqual(try BoundaryCheckTests.probe(gen, "mb_create_count"), 1, "create ran once")
        XCTAssertEqual(Set(instances.lines).count, 1)
        XCTAssertEqual(instances.lines.count, 8)
    }

    /// `get_extension` ran outside the drain accounting: a retirement could shut the copy
    /// down while a lookup was in flight, and lookups went on after `shutdown`.
    func testExtensionLookupsAreDrainedBeforeShutdown() throws {
        let (set, gen, _) = try loadFixture("abi-ext")
        let instance = try set.instance(forPlugin: "mb")
        let close = unsafeBitCast(try XCTUnwrap(dlsym(gen.handle, "mb_close_gate")), to: (@convention(c) () -> Void).self)
        let open = unsafeBitCast(try XCTUnwrap(dlsym(gen.handle, "mb_open_gate")), to: (@convention(c) () -> Void).self)
        close()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? instance.balance()  // try?: only the lookup's timing matters here
            done.signal()
        }
        while try BoundaryCheckTests.probe(gen, "mb_ext_in_flight") == 0 { usleep(1000) }
        gen.retire()
        XCTAssertEqual(try BoundaryCheckTests.probe(gen, "mb_shutdown_count"), 0, "shutdown waits for the lookup in flight")
        open()
        done.wait()
        XCTAssertTrue(gen.waitUntilDrained(timeout: 10))
        XCTAssertEqual(try BoundaryCheckTests.probe(gen, "mb_shutdown_count"), 1, "shutdown ran once the lookup returned")
        // After shutdown no lookup reaches the plugin.
        XCTAssertThrowsError(try instance.offersReconcile()) { XCTAssertTrue(($0 as? PluginCallError)?.generationRetired ?? false) }
        XCTAssertThrowsError(try instance.balance())
        XCTAssertEqual(try BoundaryCheckTests.probe(gen, "mb_ext_after_shutdown"), 0)
    }

    /// `imagegen serve` skipped `shutdown` when jobs were parked for the next start.
    func testServeShutsPluginsDownEvenWithAParkedJob() async throws {
        let so = try BoundaryCheckTests.buildFixture(["MB_POLL_RUNNING"], id: "mb", model: "mb-model")
        let h = try await ServerTestHarness(label: "abi-shutdown", extraPlugins: [so])
        let r = try await h.client.generate(["model": "mb-model", "prompt": "never ends", "parameters": ["width": 64, "height": 64]])
        let id = try XCTUnwrap(r.json?["jobs"]?[0]?["id"]?.string)
        try await h.eventually(20, "job \(id) is polled") {
            try await h.client.get("/v1/jobs/\(id)").json?["state"]?.string == "running"
        }
        let progress = try await h.client.get("/v1/jobs/\(id)").json?["progress"]?.number
        XCTAssertEqual(progress, 1, "a progress of 7.5 is clamped to 1")
        let gen = try XCTUnwrap(h.server.runtime.plugins.generation(forPlugin: "mb"))
        await h.stop()
        XCTAssertTrue(gen.waitUntilDrained(timeout: 10))
        XCTAssertEqual(try BoundaryCheckTests.probe(gen, "mb_shutdown_count"), 1, "shutdown ran at exit")
        XCTAssertTrue(h.host.lines.lines.contains { $0.contains("mb: shutdown ran") })
        let job = try h.host.catalog().job(id)
        XCTAssertEqual(job?.state.rawValue, "running", "the parked job keeps its committed state for the next start")
        XCTAssertNil(job?.errorCode)
    }

    /// `host->http` left `status_code` as the plugin had it when no response came.
    func testFailedHTTPCallReadsAsNoResponse() throws {
        let (log, _) = TestEnvironment.capturingLog()
        let secrets = EnvironmentSecrets(environment: [:])
        let table = HostServiceTable(context: .init(services: LocalHostServices(
            log: log, secrets: secrets, http: PluginHTTPClient(secrets: secrets, log: log), clock: { 0 })))
        let url = Array("http://127.0.0.1:1/never".utf8CString)
        var response = imagegen_http_response()
        response.struct_size = UInt32(MemoryLayout<imagegen_http_response>.size)
        response.status_code = 777
        var message = [CChar](repeating: 0, count: 5)
        let status = url.withUnsafeBufferPointer { u in
            "GET".withCString { m in
                message.withUnsafeMutableBufferPointer { mb in
                    var request = imagegen_http_request()
                    request.struct_size = UInt32(MemoryLayout<imagegen_http_request>.size)
                    request.method = m
                    request.method_len = 3
                    request.url = u.baseAddress
                    request.url_len = u.count - 1
                    request.timeout_ms = 2000
                    var err = imagegen_error()
                    err.struct_size = 12345
                    err.retry_after_ms = 99
                    err.message = mb.baseAddress
                    err.message_capacity = mb.count
                    let s = table.pointer.pointee.http(table.pointer, &request, &response, &err)
                    XCTAssertEqual(err.struct_size, 12345, "struct_size stays the plugin's")
                    XCTAssertEqual(err.retry_after_ms, 99)
                    XCTAssertGreaterThan(err.message_len, 0)
                    XCTAssertLessThanOrEqual(err.message_len, 5)
                    return s
                }
            }
        }
        XCTAssertEqual(status, IMAGEGEN_ERR_PROVIDER)
        XCTAssertEqual(response.status_code, 0)
        XCTAssertNil(response.body)
        XCTAssertNil(response.host_data)
        XCTAssertEqual(response.struct_size, UInt32(MemoryLayout<imagegen_http_response>.size))
    }

    /// Messages cut at a byte budget mid-character decoded with U+FFFD.
    func testMessagesAreCutBetweenCharacters() {
        // A plugin that cut "héé" (h, C3 A9, C3 A9) after 4 bytes: the cut "é" is dropped.
        let (status, message, _) = PluginErrorBuffer.call { err in
            let bytes: [UInt8] = [0x68, 0xC3, 0xA9, 0xC3]
            bytes.withUnsafeBytes { UnsafeMutableRawPointer(err.pointee.message!).copyMemory(from: $0.baseAddress!, byteCount: 4) }
            err.pointee.message_len = 4
            return IMAGEGEN_ERR_PROVIDER
        }
        XCTAssertEqual(status, .provider)
        XCTAssertEqual(message, "hé")
        XCTAssertEqual(UTF8Cut.bytes("a€b", limit: 3), Array("a".utf8), "the host's own cut for a plugin's buffer")
        XCTAssertEqual(UTF8Cut.bytes("a€b", limit: 4), Array("a€".utf8))
        Array("ok😀".utf8).withUnsafeBytes { b in
            for n in 0...b.count {
                let text = UTF8Cut.decode(UnsafeRawBufferPointer(rebasing: b.prefix(n)))
                XCTAssertFalse(text.contains("\u{FFFD}"), "\(n) bytes: \(text)")
            }
        }
        // host->log: cut at the line cap between characters, never U+FFFD.
        let (log, lines) = TestEnvironment.capturingLog()
        let secrets = EnvironmentSecrets(environment: [:])
        let table = HostServiceTable(context: .init(services: LocalHostServices(
            log: log, secrets: secrets, http: PluginHTTPClient(secrets: secrets, log: log), clock: { 0 })))
        let long = Array(String(repeating: "é", count: PluginBoundaryLimits.maxLogLineBytes).utf8)
        long.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { table.pointer.pointee.log(table.pointer, 1, $0.baseAddress, 5) }
            b.withMemoryRebound(to: CChar.self) { table.pointer.pointee.log(table.pointer, 1, $0.baseAddress, $0.count) }
        }
        XCTAssertEqual(lines.lines.count, 2)
        XCTAssertFalse(lines.lines.contains { $0.contains("\u{FFFD}") }, "\(lines.lines.map { $0.prefix(80) })")
        XCTAssertTrue(lines.lines[0].hasSuffix("éé"), lines.lines[0])
        XCTAssertTrue(lines.lines[1].contains("cut at"), String(lines.lines[1].suffix(80)))
    }
}
