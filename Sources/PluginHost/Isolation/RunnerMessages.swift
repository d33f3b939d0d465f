import Foundation

/// The bodies of the runner protocol's frames (`RunnerFrame.swift`), one encoder and decoder
/// for both sides.
package enum RunnerMessage {
    /// Operation 0 of a call frame: `create` with the config as input; the reply's output is
    /// the child's instance number (8 bytes).
    package static let create: UInt8 = 0

    package struct Hello: Sendable {
        package var abiMajor: Int
        package var abiMinor: Int
        package var offersBalance: Bool
        package var offersReconcile: Bool
        package var description: [UInt8]

        package var encoded: [UInt8] {
            var w = ByteWriter()
            w.u32(UInt32(abiMajor)); w.u32(UInt32(abiMinor))
            w.u8((offersBalance ? 1 : 0) | (offersReconcile ? 2 : 0))
            w.data(description)
            return w.bytes
        }
        package init(abiMajor: Int, abiMinor: Int, offersBalance: Bool, offersReconcile: Bool, description: [UInt8]) {
            self.abiMajor = abiMajor; self.abiMinor = abiMinor
            self.offersBalance = offersBalance; self.offersReconcile = offersReconcile
            self.description = description
        }
        package init?(_ body: [UInt8]) {
            var r = ByteReader(body)
            guard let major = r.u32(), let minor = r.u32(), let offers = r.u8(), let d = r.data() else { return nil }
            self.init(abiMajor: Int(major), abiMinor: Int(minor), offersBalance: offers & 1 != 0, offersReconcile: offers & 2 != 0,
                      description: d)
        }
    }

    package struct Call: Sendable {
        package var operation: UInt8
        package var instance: UInt64
        package var index: UInt32
        package var input: [UInt8]

        package var encoded: [UInt8] {
            var w = ByteWriter()
            w.u8(operation); w.u64(instance); w.u32(index); w.data(input)
            return w.bytes
        }
        package init(operation: UInt8, instance: UInt64, index: UInt32, input: [UInt8]) {
            self.operation = operation; self.instance = instance; self.index = index; self.input = input
        }
        package init?(_ body: [UInt8]) {
            var r = ByteReader(body)
            guard let op = r.u8(), let i = r.u64(), let x = r.u32(), let input = r.data() else { return nil }
            self.init(operation: op, instance: i, index: x, input: input)
        }
    }

    package struct Reply: Sendable {
        package var status: Int32
        package var retryAfterMilliseconds: Int32
        package var message: String
        package var output: [UInt8]
        /// The child's copy refused the plugin's answer (`PluginCallError.pluginFault`): the
        /// host fails the job as `plugin_error`, as it would in-process.
        package var pluginFault: Bool

        package var encoded: [UInt8] {
            var w = ByteWriter()
            w.i32(status); w.i32(retryAfterMilliseconds); w.text(message); w.data(output); w.u8(pluginFault ? 1 : 0)
            return w.bytes
        }
        package init(status: Int32, retryAfterMilliseconds: Int32 = -1, message: String = "", output: [UInt8] = [],
                     pluginFault: Bool = false) {
            self.status = status; self.retryAfterMilliseconds = retryAfterMilliseconds; self.message = message; self.output = output
            self.pluginFault = pluginFault
        }
        package init(_ error: PluginCallError) {
            self.init(status: error.status.rawValue, retryAfterMilliseconds: Int32(clamping: error.retryAfterMilliseconds ?? -1),
                      message: error.message, pluginFault: error.pluginFault)
        }
        package init?(_ body: [UInt8]) {
            var r = ByteReader(body)
            guard let s = r.i32(), let retry = r.i32(), let m = r.text(), let out = r.data(), let flags = r.u8() else { return nil }
            self.init(status: s, retryAfterMilliseconds: retry, message: m, output: out, pluginFault: flags & 1 != 0)
        }
    }

    /// A host service the plugin called from inside the child.
    package enum Service: Sendable {
        case secret(String)
        case http(method: String, url: String, headers: [(String, String)], body: Data?, timeoutMilliseconds: Int32)
        case now

        package var encoded: [UInt8] {
            var w = ByteWriter()
            switch self {
            case .secret(let name):
                w.u8(1); w.text(name)
            case .http(let method, let url, let headers, let body, let timeout):
                w.u8(2); w.text(method); w.text(url)
                w.u32(UInt32(headers.count))
                for (k, v) in headers { w.text(k); w.text(v) }
                w.u8(body == nil ? 0 : 1); w.data([UInt8](body ?? Data()))
                w.i32(timeout)
            case .now:
                w.u8(3)
            }
            return w.bytes
        }

        package init?(_ body: [UInt8]) {
            var r = ByteReader(body)
            switch r.u8() {
            case 1:
                guard let name = r.text() else { return nil }
                self = .secret(name)
            case 2:
                guard let method = r.text(), let url = r.text(), let count = r.u32() else { return nil }
                var headers: [(String, String)] = []
                for _ in 0..<min(count, 10_000) {
                    guard let k = r.text(), let v = r.text() else { return nil }
                    headers.append((k, v))
                }
                guard let has = r.u8(), let bytes = r.data(), let timeout = r.i32() else { return nil }
                self = .http(method: method, url: url, headers: headers, body: has == 1 ? Data(bytes) : nil, timeoutMilliseconds: timeout)
            case 3:
                self = .now
            default:
                return nil
            }
        }
    }

    /// The answer to an HTTP service call.
    package static func encode(_ result: Result<PluginHTTPClient.Response, PluginHTTPClient.Failure>) -> [UInt8] {
        var w = ByteWriter()
        switch result {
        case .success(let r):
            w.u8(0); w.i32(Int32(clamping: r.status))
            w.u32(UInt32(r.headers.count))
            for (k, v) in r.headers { w.text(k); w.text(v) }
            w.data([UInt8](r.body))
        case .failure(.notSent(let m)):
            w.u8(1); w.text(m)
        case .failure(.outcomeUnknown(let m)):
            w.u8(2); w.text(m)
        }
        return w.bytes
    }

    package static func decodeHTTP(_ body: [UInt8]) -> Result<PluginHTTPClient.Response, PluginHTTPClient.Failure> {
        var r = ByteReader(body)
        switch r.u8() {
        case 0:
            guard let status = r.i32(), let count = r.u32() else { break }
            var headers: [(String, String)] = []
            for _ in 0..<min(count, 100_000) {
                guard let k = r.text(), let v = r.text() else { return .failure(.outcomeUnknown("malformed answer from the host")) }
                headers.append((k, v))
            }
            guard let bytes = r.data() else { break }
            return .success(PluginHTTPClient.Response(status: Int(status), headers: headers, body: Data(bytes)))
        case 1:
            return .failure(.notSent(r.text() ?? ""))
        case 2:
            return .failure(.outcomeUnknown(r.text() ?? ""))
        default:
            break
        }
        return .failure(.outcomeUnknown("malformed answer from the host"))
    }
}
