import Foundation
import ImagegenJSON

/// A configured provider instance inside one generation. Calls are synchronous and may block
/// on the network: callers run them on plugin threads (see `PluginCalls`), never on the Swift
/// cooperative pool. Whether the plugin runs in this process or in a child is the endpoint's
/// business (`PluginTransport`); per-instance serialisation happens where the table is called.
public final class PluginInstance: @unchecked Sendable {
    public let generation: PluginGeneration
    let endpoint: any PluginEndpoint

    init(generation: PluginGeneration, endpoint: any PluginEndpoint) {
        self.generation = generation
        self.endpoint = endpoint
    }

    /// One call through the endpoint, pinned so a retiring swap waits for it, and tracked so
    /// health can name a call past its time limit. The endpoint has already refused an answer
    /// over the size limit before copying it (`PluginOutputCopy`, in this process or the child).
    package func call(_ operation: PluginOperation, _ input: [UInt8], index: UInt32 = 0) throws(PluginCallError) -> [UInt8] {
        let g = generation
        return try generation.pinned { () throws(PluginCallError) -> [UInt8] in
            try g.tracker.tracking(g.manifest.id, operation.description) { () throws(PluginCallError) -> [UInt8] in
                try endpoint.call(operation, input: input, index: index)
            }
        }
    }

    static func parseObject(_ bytes: [UInt8], _ name: String) throws(PluginCallError) -> JSONValue {
        guard let value = JSONValue.parse(bytes) else { throw .fault("\(name) returned malformed JSON (\(bytes.count) bytes)") }
        guard value.object != nil else { throw .fault("\(name) returned JSON that is not an object (\(bytes.count) bytes)") }
        return value
    }

    /// A JSON answer (submit, poll, reconcile, balance): bounded by the endpoint, then parsed as an object.
    func jsonCall(_ operation: PluginOperation, _ input: [UInt8]) throws(PluginCallError) -> JSONValue {
        try PluginInstance.parseObject(try call(operation, input), operation.description)
    }

    public func submit(_ request: JSONValue) throws(PluginCallError) -> JSONValue {
        try jsonCall(.submit, [UInt8](request.encoded()))
    }

    public func poll(_ ref: JSONValue) throws(PluginCallError) -> JSONValue {
        try jsonCall(.poll, [UInt8](ref.encoded()))
    }

    /// `poll` on encoded bytes, without JSON work on the host side: the bare cost of a call
    /// through the transport (pin, call, copy the output, release), as the benchmark measures it.
    public func pollBytes(_ ref: [UInt8]) throws(PluginCallError) -> [UInt8] {
        try call(.poll, ref)
    }

    public func fetch(_ ref: JSONValue, index: Int) throws(PluginCallError) -> [UInt8] {
        guard let i = UInt32(exactly: index) else { throw .fault("output index \(index) is out of range") }
        return try call(.fetch, [UInt8](ref.encoded()), index: i)
    }

    public func cancel(_ ref: JSONValue) throws(PluginCallError) {
        _ = try call(.cancel, [UInt8](ref.encoded()))
    }

    /// The provider's remaining credit via `imagegen.balance/1`; nil when not offered.
    public func balance() throws(PluginCallError) -> JSONValue? {
        // Asked inside the drain accounting, so a retiring copy's shutdown waits for it.
        let g = generation
        guard try generation.pinned({ () throws(PluginCallError) in g.transport.offers(.balance) }) else { return nil }
        return try jsonCall(.balance, [])
    }
}
