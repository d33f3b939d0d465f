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

    /// One call through the endpoint, pinned so a retiring swap waits for it.
    package func call(_ operation: PluginOperation, _ input: [UInt8], index: UInt32 = 0) throws(PluginCallError) -> [UInt8] {
        try generation.pinned { () throws(PluginCallError) -> [UInt8] in
            try endpoint.call(operation, input: input, index: index)
        }
    }

    func jsonCall(_ operation: PluginOperation, _ input: [UInt8]) throws(PluginCallError) -> JSONValue {
        let bytes = try call(operation, input)
        guard let value = JSONValue.parse(bytes), value.object != nil else {
            throw PluginCallError(.internal, "\(operation) returned malformed JSON (\(bytes.count) bytes)")
        }
        return value
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
        guard let i = UInt32(exactly: index) else { throw PluginCallError(.invalidRequest, "output index \(index) is out of range") }
        return try call(.fetch, [UInt8](ref.encoded()), index: i)
    }

    public func cancel(_ ref: JSONValue) throws(PluginCallError) {
        _ = try call(.cancel, [UInt8](ref.encoded()))
    }

    /// The provider's remaining credit via `imagegen.balance/1`; nil when not offered.
    public func balance() throws(PluginCallError) -> JSONValue? {
        guard generation.transport.offers(.balance) else { return nil }
        return try jsonCall(.balance, [])
    }
}
