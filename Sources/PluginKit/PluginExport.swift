import Foundation
import PluginAPI
import Synchronization

/// The C side of a Swift plugin: builds the `imagegen_plugin` table for one `ImageProvider`
/// type. A plugin's whole export is:
///
/// ```swift
/// @_cdecl("imagegen_plugin_entry_v1")
/// public func entry(_ host: UnsafeRawPointer?) -> UnsafeRawPointer? {
///     PluginExport.entry(MyProvider.self, host: host)
/// }
/// ```
///
/// Every function in the table catches the provider's `ProviderError` and turns it into a
/// status code and a message; nothing Swift crosses the boundary.
public enum PluginExport {
    /// Called once per loaded copy of the plugin, before any table function.
    public static func entry(_ provider: any ImageProvider.Type, host rawHost: UnsafeRawPointer?) -> UnsafeRawPointer? {
        guard let host = rawHost?.assumingMemoryBound(to: imagegen_host.self),
              host.pointee.header.abi_major == UInt16(IMAGEGEN_ABI_MAJOR) else { return nil }
        state.withLock { s in
            s.provider = provider
            s.host = HostServices(host)
        }
        return UnsafeRawPointer(table)
    }

    struct State: @unchecked Sendable {
        var provider: (any ImageProvider.Type)?
        var host: HostServices?
    }
    // One plugin image = one PluginKit copy = one provider type: a process-wide slot is right.
    static let state = Mutex(State())

    /// Instances are boxed so the C side holds a plain pointer.
    final class Instance: @unchecked Sendable {
        let provider: any ImageProvider
        init(_ provider: any ImageProvider) { self.provider = provider }
    }

    nonisolated(unsafe) static let table: UnsafeMutablePointer<imagegen_plugin> = {
        let t = UnsafeMutablePointer<imagegen_plugin>.allocate(capacity: 1)
        t.initialize(to: imagegen_plugin())
        t.pointee.header = imagegen_table_header(struct_size: UInt32(MemoryLayout<imagegen_plugin>.size),
                                                 abi_major: UInt16(IMAGEGEN_ABI_MAJOR), abi_minor: UInt16(IMAGEGEN_ABI_MINOR))
        t.pointee.describe = { _, buf, cap, outLen in
            guard let type = PluginExport.state.withLock({ $0.provider }) else { return IMAGEGEN_ERR_INTERNAL }
            let data = [UInt8](type.description.json.encoded())
            outLen?.pointee = data.count
            guard let buf, cap >= data.count else { return IMAGEGEN_ERR_BUFFER_TOO_SMALL }
            data.withUnsafeBytes { UnsafeMutableRawPointer(buf).copyMemory(from: $0.baseAddress!, byteCount: data.count) }
            return IMAGEGEN_OK
        }
        t.pointee.create = { _, config, len, out, err in
            let s = PluginExport.state.withLock { $0 }
            guard let type = s.provider, let host = s.host, let out else { return IMAGEGEN_ERR_INTERNAL }
            let configValue: JSONValue
            if let config, len > 0 {
                guard let v = JSONValue.parse(UnsafeRawBufferPointer(start: config, count: len)) else {
                    return fail(err, ProviderError(.invalidRequest, "the provider config is not valid JSON"))
                }
                configValue = v
            } else {
                configValue = .object([:])
            }
            do throws(ProviderError) {
                let provider = try type.init(config: configValue, host: host)
                out.pointee = OpaquePointer(Unmanaged.passRetained(Instance(provider)).toOpaque())
                return IMAGEGEN_OK
            } catch {
                return fail(err, error)
            }
        }
        t.pointee.destroy = { _, instance in
            guard let instance else { return }
            Unmanaged<Instance>.fromOpaque(UnsafeRawPointer(instance)).release()
        }
        t.pointee.submit = { _, instance, json, len, out, err in
            call(instance, out, err) { p throws(ProviderError) in
                guard let json, let value = JSONValue.parse(UnsafeRawBufferPointer(start: json, count: len)) else {
                    throw ProviderError(.invalidRequest, "the request is not valid JSON")
                }
                let request: GenerationRequest
                do {
                    request = try JSONDecoder().decode(GenerationRequest.self, from: value.encoded())
                } catch {
                    throw ProviderError(.invalidRequest, "the request does not match the ABI's request schema: \(error)")
                }
                let result = try p.submit(request)
                guard result.ref != nil else { throw ProviderError(.internal, "submit returned no job reference") }
                return [UInt8](result.json.encoded())
            }
        }
        t.pointee.poll = { _, instance, json, len, out, err in
            call(instance, out, err) { p throws(ProviderError) in
                let ref = try parseRef(json, len)
                return [UInt8](try p.poll(ref).json.encoded())
            }
        }
        t.pointee.fetch = { _, instance, json, len, index, out, err in
            call(instance, out, err) { p throws(ProviderError) in
                let ref = try parseRef(json, len)
                return try p.fetch(ref, index: Int(index))
            }
        }
        t.pointee.cancel = { _, instance, json, len, err in
            guard let instance else { return IMAGEGEN_ERR_INTERNAL }
            let box = Unmanaged<Instance>.fromOpaque(UnsafeRawPointer(instance)).takeUnretainedValue()
            do throws(ProviderError) {
                let ref = try parseRef(json, len)
                try box.provider.cancel(ref)
                return IMAGEGEN_OK
            } catch {
                return fail(err, error)
            }
        }
        t.pointee.release = { _, out in
            guard let out, let p = out.pointee.plugin_data else { return }
            p.deallocate()
            out.pointee.plugin_data = nil
            out.pointee.data = nil
        }
        t.pointee.shutdown = { _ in }
        t.pointee.get_extension = { _, id in
            guard let id else { return nil }
            switch String(cString: id) {
            case IMAGEGEN_EXT_BALANCE: return UnsafeRawPointer(balanceExtension)
            case IMAGEGEN_EXT_RECONCILE where offersReconcile: return UnsafeRawPointer(reconcileExtension)
            default: return nil
            }
        }
        return t
    }()

    nonisolated(unsafe) static let balanceExtension: UnsafeMutablePointer<imagegen_balance_extension> = {
        let t = UnsafeMutablePointer<imagegen_balance_extension>.allocate(capacity: 1)
        t.initialize(to: imagegen_balance_extension())
        t.pointee.header = imagegen_table_header(struct_size: UInt32(MemoryLayout<imagegen_balance_extension>.size),
                                                 abi_major: UInt16(IMAGEGEN_ABI_MAJOR), abi_minor: UInt16(IMAGEGEN_ABI_MINOR))
        t.pointee.balance = { _, instance, out, err in
            call(instance, out, err) { p throws(ProviderError) in
                guard let b = try p.balance() else { throw ProviderError(.unsupported, "this provider reports no balance") }
                let v: JSONValue = ["schema": 1, "credits": .number(b.credits), "unit": .string(b.unit)]
                return [UInt8](v.encoded())
            }
        }
        return t
    }()

    static func parseRef(_ json: UnsafePointer<CChar>?, _ len: Int) throws(ProviderError) -> JSONValue {
        guard let json, let v = JSONValue.parse(UnsafeRawBufferPointer(start: json, count: len)) else {
            throw ProviderError(.invalidRequest, "the job reference is not valid JSON")
        }
        return v
    }

    /// Runs one instance call, hands its bytes to the host as a plugin-owned output, and maps
    /// a thrown `ProviderError` to its status.
    static func call(_ instance: OpaquePointer?, _ out: UnsafeMutablePointer<imagegen_output>?,
                     _ err: UnsafeMutablePointer<imagegen_error>?,
                     _ body: (any ImageProvider) throws(ProviderError) -> [UInt8]) -> imagegen_status {
        guard let instance, let out else { return IMAGEGEN_ERR_INTERNAL }
        let box = Unmanaged<Instance>.fromOpaque(UnsafeRawPointer(instance)).takeUnretainedValue()
        do throws(ProviderError) {
            let bytes = try body(box.provider)
            let mem = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
            bytes.withUnsafeBytes { if let base = $0.baseAddress { mem.copyMemory(from: base, byteCount: bytes.count) } }
            out.pointee.data = UnsafePointer(mem.assumingMemoryBound(to: UInt8.self))
            out.pointee.size = bytes.count
            out.pointee.plugin_data = mem
            return IMAGEGEN_OK
        } catch {
            return fail(err, error)
        }
    }

    /// Writes the error into the host's buffer (truncated) and returns its status code.
    static func fail(_ err: UnsafeMutablePointer<imagegen_error>?, _ error: ProviderError) -> imagegen_status {
        if let err {
            err.pointee.retry_after_ms = Int32(clamping: error.retryAfterMilliseconds ?? -1)
            if let buf = err.pointee.message {
                let bytes = Array(error.message.utf8.prefix(err.pointee.message_capacity))
                bytes.withUnsafeBytes { if let b = $0.baseAddress { UnsafeMutableRawPointer(buf).copyMemory(from: b, byteCount: bytes.count) } }
                err.pointee.message_len = bytes.count
            }
        }
        return error.status.rawValue
    }
}
