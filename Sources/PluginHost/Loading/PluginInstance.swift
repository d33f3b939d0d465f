import Foundation
import ImagegenJSON
import PluginAPI
import Synchronization

/// A configured provider instance inside one generation. Calls are synchronous and may block
/// on the network: callers run them on plugin threads (see `PluginCalls`), never on the Swift
/// cooperative pool. Calls are serialised per instance unless the plugin is thread-safe.
public final class PluginInstance: @unchecked Sendable {
    public let generation: PluginGeneration
    let pointer: OpaquePointer
    private let serial = NSLock()
    private let destroyed = Atomic<Bool>(false)
    private let threadSafe: Bool

    init(generation: PluginGeneration, pointer: OpaquePointer) {
        self.generation = generation
        self.pointer = pointer
        self.threadSafe = generation.manifest.threadSafe
    }

    func destroy() {
        guard !destroyed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        generation.table.destroy?(generation.pluginPointer, pointer)
    }

    private func call<T>(_ name: String, _ body: (UnsafeMutablePointer<imagegen_error>) -> (imagegen_status, T?)) throws(PluginCallError) -> T {
        try generation.pinned { () throws(PluginCallError) -> T in
            guard !destroyed.load(ordering: .acquiring) else {
                throw PluginCallError(.cancelled, "the plugin generation was retired", generationRetired: true)
            }
            let token = generation.tracker.begin(plugin: generation.manifest.id, function: name)
            defer { generation.tracker.end(token) }
            if !threadSafe { serial.lock() }
            defer { if !threadSafe { serial.unlock() } }
            var value: T?
            let (status, message, retry) = PluginErrorBuffer.call { err in
                let (s, v) = body(err)
                value = v
                return s
            }
            guard status == .ok else {
                throw PluginCallError(status, message.isEmpty ? "\(name) failed with \(status)" : message,
                                      retryAfterMilliseconds: retry)
            }
            guard let value else { throw PluginCallError(.internal, "\(name) returned OK without an output") }
            return value
        }
    }

    /// Takes a plugin-owned output, size-checked before the copy (`PluginOutputCopy`).
    private func take(_ out: inout imagegen_output, _ name: String, limit: Int, what: String) -> Result<[UInt8], PluginCallError> {
        let g = generation
        return PluginOutputCopy.take(&out, release: { g.table.release?(g.pluginPointer, $0) }, call: name, limit: limit, what: what)
    }

    /// A JSON answer (submit, poll, reconcile, balance): bounded, then parsed as an object.
    private func takeJSON(_ out: inout imagegen_output, _ name: String) -> Result<[UInt8], PluginCallError> {
        take(&out, name, limit: generation.limits.maxJSONBytes, what: "a JSON answer")
    }

    static func parseObject(_ bytes: [UInt8], _ name: String) throws(PluginCallError) -> JSONValue {
        guard let value = JSONValue.parse(bytes) else { throw .fault("\(name) returned malformed JSON (\(bytes.count) bytes)") }
        guard value.object != nil else { throw .fault("\(name) returned JSON that is not an object (\(bytes.count) bytes)") }
        return value
    }

    func jsonCall(_ name: String, _ input: [UInt8],
                  _ fn: (UnsafePointer<CChar>?, Int, UnsafeMutablePointer<imagegen_output>, UnsafeMutablePointer<imagegen_error>) -> imagegen_status)
        throws(PluginCallError) -> JSONValue {
        let taken: Result<[UInt8], PluginCallError> = try call(name) { err in
            var out = imagegen_output()
            let status = input.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { fn($0.baseAddress, $0.count, &out, err) }
            }
            return (status, status == IMAGEGEN_OK ? takeJSON(&out, name) : nil)
        }
        return try PluginInstance.parseObject(try taken.get(), name)
    }

    public func submit(_ request: JSONValue) throws(PluginCallError) -> JSONValue {
        guard let submit = generation.table.submit else { throw PluginCallError(.unsupported, "no submit()") }
        let g = generation
        return try jsonCall("submit", [UInt8](request.encoded())) { p, n, out, err in submit(g.pluginPointer, pointer, p, n, out, err) }
    }

    public func poll(_ ref: JSONValue) throws(PluginCallError) -> JSONValue {
        try PluginInstance.parseObject(try pollBytes([UInt8](ref.encoded())), "poll")
    }

    /// `poll` on encoded bytes, without JSON work on the host side: the bare cost of a call
    /// through the table (pin, call, copy the output, release), as the benchmark measures it.
    public func pollBytes(_ ref: [UInt8]) throws(PluginCallError) -> [UInt8] {
        guard let poll = generation.table.poll else { throw PluginCallError(.unsupported, "no poll()") }
        let g = generation
        let taken: Result<[UInt8], PluginCallError> = try call("poll") { err in
            var out = imagegen_output()
            let status = ref.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { poll(g.pluginPointer, pointer, $0.baseAddress, $0.count, &out, err) }
            }
            return (status, status == IMAGEGEN_OK ? takeJSON(&out, "poll") : nil)
        }
        return try taken.get()
    }

    public func fetch(_ ref: JSONValue, index: Int) throws(PluginCallError) -> [UInt8] {
        guard let fetch = generation.table.fetch else { throw PluginCallError(.unsupported, "no fetch()") }
        let input = [UInt8](ref.encoded())
        let g = generation
        guard let index32 = UInt32(exactly: index) else { throw .fault("output index \(index) is out of range") }
        let limit = generation.limits.maxImageBytes
        let taken: Result<[UInt8], PluginCallError> = try call("fetch") { err in
            var out = imagegen_output()
            let status = input.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { fetch(g.pluginPointer, pointer, $0.baseAddress, $0.count, index32, &out, err) }
            }
            return (status, status == IMAGEGEN_OK ? take(&out, "fetch", limit: limit, what: "one image (imaging.limits.maxBytes)") : nil)
        }
        return try taken.get()
    }

    public func cancel(_ ref: JSONValue) throws(PluginCallError) {
        guard let cancel = generation.table.cancel else { throw PluginCallError(.unsupported, "no cancel()") }
        let input = [UInt8](ref.encoded())
        let g = generation
        let _: Bool = try call("cancel") { err in
            let status = input.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { cancel(g.pluginPointer, pointer, $0.baseAddress, $0.count, err) }
            }
            return (status, true)
        }
    }

    /// The provider's remaining credit via `imagegen.balance/1`; nil when not offered.
    public func balance() throws(PluginCallError) -> JSONValue? {
        // Looked up inside the drain accounting, so a retiring copy's shutdown waits for it.
        let g0 = generation
        guard let fn = try generation.pinned({ () throws(PluginCallError) in g0.balanceExtension?.pointee.balance }) else { return nil }
        let g = generation
        return try jsonCall("balance", []) { _, _, out, err in fn(g.pluginPointer, pointer, out, err) }
    }
}
