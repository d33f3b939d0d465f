import Foundation
import ImagegenJSON
import Synchronization
import XCTest
@testable import Host
@testable import PluginHost

/// A fake host clock the tests move forward, so a deadline can pass without waiting for it.
final class TestClock: Sendable {
    private let value: Atomic<Int64>
    init(_ start: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) { value = Atomic(start) }
    var now: Int64 { value.load(ordering: .relaxed) }
    func advance(milliseconds: Int64) { value.add(milliseconds, ordering: .relaxed) }
}

/// One provider plugin, built by SwiftPM, loaded through the host's `PluginLoader` (private
/// copy, dlopen, ABI checks, describe), configured like the host configures it, with a
/// captured log and injected secrets. Calls go through the C ABI (`PluginInstance`).
final class ProviderHarness: @unchecked Sendable {
    let generation: PluginGeneration
    let instance: PluginInstance
    let lines: LineCollector
    let clock: TestClock

    /// - Parameters:
    ///   - plugin: library name, e.g. "replicate" for libimagegen-replicate.so.
    ///   - config: the `providers.<id>` section (the host adds "schema").
    ///   - secrets: what the host's secret source holds.
    ///   - runner: the plugin-runner executable, to run the plugin in a child process.
    init(plugin: String, config: [String: JSONValue], secrets: [String: String], clock: TestClock = TestClock(),
         runner: String? = PluginRunnerLocation.executable) throws {
        let (log, lines) = TestEnvironment.capturingLog()
        self.lines = lines
        self.clock = clock
        let loader = PluginLoader(log: log, secrets: EnvironmentSecrets(environment: secrets), clock: { clock.now }, runner: runner)
        let path = try TestEnvironment.pluginLibrary(plugin)
        generation = try loader.load(file: path, generation: 1).get()
        var section = config
        section["schema"] = 1
        instance = try generation.makeInstance(config: .object(section))
    }

    /// A neutral request as the host sends it to submit().
    static func request(model: String, prompt: String = "a red bicycle on a beach", negative: String? = nil,
                        width: Int = 512, height: Int = 512, steps: Int? = 30, guidance: Double? = 7.5,
                        seed: Int? = 42, outputs: Int = 1, deadlineMs: Int64? = nil, allowNSFW: Bool = false,
                        options: [String: JSONValue] = [:]) -> JSONValue {
        var o: [String: JSONValue] = [
            "schema": 1, "job_id": .string("job-\(UUID().uuidString.prefix(8))"), "model": .string(model),
            "prompt": .string(prompt), "width": .number(Double(width)), "height": .number(Double(height)),
            "num_outputs": .number(Double(outputs)), "allow_nsfw": .bool(allowNSFW), "options": .object(options),
        ]
        o["negative_prompt"] = negative.map { .string($0) } ?? .null
        o["steps"] = steps.map { .number(Double($0)) } ?? .null
        o["guidance_scale"] = guidance.map { .number($0) } ?? .null
        o["seed"] = seed.map { .number(Double($0)) } ?? .null
        o["deadline_ms"] = deadlineMs.map { .number(Double($0)) } ?? .null
        return .object(o)
    }

    /// `request` turned into a vary/upscale request carrying `image`.
    static func derived(_ request: JSONValue, kind: String, image: [UInt8], width: Int, height: Int,
                        strength: Double? = nil, scale: Double? = nil) -> JSONValue {
        var o = request.object ?? [:]
        o["kind"] = .string(kind)
        o["input_image"] = ["data_base64": .string(Data(image).base64EncodedString()), "mime": "image/png",
                            "width": .number(Double(width)), "height": .number(Double(height))]
        o["strength"] = strength.map { .number($0) } ?? .null
        o["scale"] = scale.map { .number($0) } ?? .null
        return .object(o)
    }

    func submit(_ request: JSONValue) -> Result<JSONValue, PluginCallError> {
        Self.keyFree(Result { () throws(PluginCallError) in try instance.submit(request) })
    }

    func poll(_ ref: JSONValue) -> Result<JSONValue, PluginCallError> {
        Self.keyFree(Result { () throws(PluginCallError) in try instance.poll(ref) })
    }

    /// The host persists what submit and poll return: no key may be in it.
    static func keyFree(_ r: Result<JSONValue, PluginCallError>) -> Result<JSONValue, PluginCallError> {
        if case .success(let v) = r {
            XCTAssertFalse(String(decoding: v.encoded(), as: UTF8.self).contains(ProviderTestCase.tokenPrefix), "a key in a poll result")
        }
        return r
    }

    func fetch(_ ref: JSONValue, _ index: Int) -> Result<[UInt8], PluginCallError> {
        Result { () throws(PluginCallError) in try instance.fetch(ref, index: index) }
    }

    func cancel(_ ref: JSONValue) -> Result<Void, PluginCallError> {
        Result { () throws(PluginCallError) in try instance.cancel(ref) }
    }

    /// Polls (without sleeping: the emulators advance a job on every read) until the state is
    /// terminal, carrying replaced refs forward. Bounded.
    func pollUntilDone(_ first: JSONValue, maxPolls: Int = 10, file: StaticString = #filePath, line: UInt = #line) throws -> JSONValue {
        var result = first
        var ref = first["ref"] ?? .null
        for _ in 0..<maxPolls {
            if let state = result["state"]?.string, !["queued", "running"].contains(state) { return result }
            result = try poll(ref).get()
            if let r = result["ref"] { ref = r }
        }
        XCTFail("still \(result["state"]?.string ?? "?") after \(maxPolls) polls", file: file, line: line)
        return result
    }
}

/// Shared checks for the provider tests.
enum ProviderAssert {
    /// Fails unless `result` is a failure with `status`; returns the error for more checks.
    @discardableResult
    static func fails<T>(_ result: Result<T, PluginCallError>, with status: PluginStatus, _ words: [String] = [],
                         file: StaticString = #filePath, line: UInt = #line) -> PluginCallError? {
        switch result {
        case .success(let v):
            XCTFail("expected \(status), got success: \(v)", file: file, line: line)
            return nil
        case .failure(let e):
            XCTAssertEqual(e.status, status, "message: \(e.message)", file: file, line: line)
            XCTAssertFalse(e.message.contains(ProviderTestCase.tokenPrefix), "a key reached an error message", file: file, line: line)
            for w in words {
                XCTAssertTrue(e.message.localizedCaseInsensitiveContains(w), "\"\(e.message)\" should mention \"\(w)\"", file: file, line: line)
            }
            return e
        }
    }

    /// A PNG signature and IEND trailer: the bytes are a whole PNG file.
    static func isWholePNG(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG signature", file: file, line: line)
        XCTAssertEqual(Array(bytes.suffix(8)), [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82], "no IEND trailer", file: file, line: line)
    }
}
